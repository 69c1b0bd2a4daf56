import { remove as removeConfusables } from 'confusables';

/**
 * The paywall marker and everything that merely resembles it. The cut fails open by nature (no marker → two
 * paragraphs public, a misspelt marker → whatever follows it public), so the marker is taken only as written and
 * anything a reader would take for an attempt at it is refused rather than guessed at: a typo is the normal case.
 */
export const PAYWALL_MARKER = '<!-- paywall -->';

const TARGET = 'paywall';

/** Letters that look Latin in most fonts; NFKD and case folding do not map them (Unicode confusables, abridged). */
const CONFUSABLES: Record<string, string> = {
  а: 'a',
  ɑ: 'a',
  α: 'a',
  '@': 'a',
  е: 'e',
  ε: 'e',
  о: 'o',
  ο: 'o',
  σ: 'o',
  '0': 'o',
  р: 'p',
  ρ: 'p',
  с: 'c',
  ϲ: 'c',
  у: 'y',
  ү: 'y',
  γ: 'y',
  х: 'x',
  χ: 'x',
  і: 'i',
  ι: 'i',
  ј: 'j',
  ԝ: 'w',
  ѡ: 'w',
  ω: 'w',
  ν: 'v',
  ł: 'l',
  ӏ: 'l',
  ǀ: 'l',
  '|': 'l',
  '1': 'l',
  ɩ: 'l',
  к: 'k',
  κ: 'k',
  м: 'm',
  н: 'h',
  т: 't',
  в: 'b',
  ѕ: 's',
  '5': 's',
  '4': 'a',
};

/**
 * What a reader sees of a line, folded so lookalikes meet: HTML entities and percent-escapes are decoded (a
 * reader sees `&lt;!-- paywall --&gt;` as the marker), compatibility forms and accents fold away, invisible format
 * characters (zero-width space, joiners, soft hyphen, bidi controls) go, confusable letters (the Unicode
 * confusables table: Cyrillic, Greek, Cherokee, small capitals…) map to the Latin letter they imitate, case goes,
 * angle-bracket lookalikes become `<` `>` and every dash-like character becomes `-`.
 */
export function foldForMarker(text: string): string {
  const visible = removeConfusables(
    decodeEscapes(text)
      .normalize('NFKD')
      .replace(/\p{M}+/gu, '')
      .replace(/[\p{Cf}\u00ad\u115f\u1160\u3164]/gu, ''),
  );
  return Array.from(visible.toLowerCase(), (char) => CONFUSABLES[char] ?? char)
    .join('')
    .replace(/[\u2039\u2329\u27e8\u3008\ufe64\uff1c\u02c2\u1438\u276e\u2770]/gu, '<')
    .replace(/[\u203a\u232a\u27e9\u3009\ufe65\uff1e\u02c3\u1433\u276f\u2771]/gu, '>')
    .replace(/[\p{Pd}\u2212\u2010-\u2015\u2e3a\u2e3b\ufe58\ufe63\uff0d]/gu, '-');
}

const NAMED_ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'", nbsp: ' ', shy: '' };

/** HTML character references and URL percent-escapes, decoded once (twice would be a guess of its own). */
function decodeEscapes(text: string): string {
  return text
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (entity, name: string) => {
      if (!name.startsWith('#')) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
      const code = name[1]?.toLowerCase() === 'x' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    })
    .replace(/(?:%[0-9a-f]{2})+/gi, (escaped) => {
      try {
        return decodeURIComponent(escaped);
      } catch {
        return escaped; // not UTF-8: leave as written, the rest of the fold still applies
      }
    });
}

/** Only the letters of a folded line: `<!-- pay-wall: -->` → `paywall`. */
const lettersOf = (folded: string): string => folded.replace(/[^a-z]/g, '');

/** Something that opens or closes an HTML comment, however mangled: `<!`, `<--`, `-->`, `--!>`. An arrow is not. */
const COMMENT_LIKE = /<\s*!|<\s*-\s*-|-\s*-\s*!?\s*>/;
const WELL_FORMED_COMMENT = /<!--([\s\S]*?)-->/g;
/** Real words a heading or list item may well be: never taken for a misspelt marker. */
const WORDS_NEAR_TARGET = new Set(['paywalls', 'paywalled']);
/**
 * Cut markers of other systems (WordPress `<!--more-->`, "subscribers only" notes): an editor who writes one
 * expects a cut that Dispatch would not make, so it is refused like a lookalike.
 */
const OTHER_CUT_MARKERS =
  /^(more|read more|readmore|cut|fold|break|teaser|excerpt|preview|premium|paid|paid (content|part|section)|((paid|premium) )?(subscribers?|members?)( only)?|subscriber only|members area)$/;

export interface MarkerProblem {
  /** 1-based line of the body as submitted. */
  line: number;
  message: string;
}

/**
 * Lines that look like the marker but are not one the cut uses. `usable` holds the 0-based indexes of the marker
 * lines the cut took; an exact marker anywhere else (a code block, a quote, a footnote) is a problem too, because
 * the editor who wrote it expected a cut there and would get none.
 */
export function markerProblems(lines: readonly string[], usable: ReadonlySet<number>): MarkerProblem[] {
  const problems: MarkerProblem[] = [];
  lines.forEach((text, index) => {
    if (usable.has(index)) return;
    const message = lineProblem(text);
    if (message) problems.push({ line: index + 1, message });
  });
  for (const comment of commentsAcrossLines(lines)) {
    if (problems.some((problem) => problem.line === comment.line)) continue;
    const message = commentProblem(foldForMarker(comment.text));
    if (message) problems.push({ line: comment.line, message });
  }
  return problems.sort((a, b) => a.line - b.line);
}

/**
 * A line is refused when a comment on it names the word (`<!-- paywal -->`, `<!-- paywall start -->`,
 * `&lt;!-- paywall --&gt;`) or another system's cut (`<!--more-->`), when a mangled comment does, or when the line
 * is nothing but the word however it is wrapped (`paywall`, `[paywall]`, `<paywall/>`, `{% paywall %}`, a setext
 * heading `PAYWALL`). Headings and list items that mention paywalls, and sentences, are prose.
 */
function lineProblem(text: string): string | undefined {
  if (text.trim() === PAYWALL_MARKER) {
    return `holds ${PAYWALL_MARKER} where the cut cannot use it (inside a code block, quote, list or footnote): put the marker alone on its own line between paragraphs`;
  }
  const folded = foldForMarker(text);
  // Only where a comment can close: the lazy match would otherwise rescan the line from every opener.
  for (const comment of folded.includes('-->') ? folded.matchAll(WELL_FORMED_COMMENT) : []) {
    const problem = commentProblem(comment[1] ?? '');
    if (problem) return problem;
  }
  const rest = folded.replace(WELL_FORMED_COMMENT, ' ');
  const letters = lettersOf(rest);
  if (letters.length === 0) return undefined;
  if (COMMENT_LIKE.test(rest) && (distance(letters, TARGET) <= 2 || namesTarget(rest))) return lookalikeMessage();
  const prose = /^\s{0,3}(#{1,6}\s|[-*+]\s|\d+[.)]\s|>)/.test(rest);
  if (!prose && !WORDS_NEAR_TARGET.has(letters) && distance(letters, TARGET) <= 1) return lookalikeMessage();
  return undefined;
}

/** What a comment's text means for the cut: a lookalike, another system's marker, or nothing. */
function commentProblem(content: string): string | undefined {
  if (distance(lettersOf(content), TARGET) <= 2 || namesTarget(content)) return lookalikeMessage();
  const words = content.replace(/[^a-z]+/g, ' ').trim();
  if (OTHER_CUT_MARKERS.test(words)) {
    return `is a cut marker of another system; Dispatch cuts only at ${PAYWALL_MARKER}, alone on its own line`;
  }
  return undefined;
}

/** A word within one edit of the target (or containing it), or two neighbouring words that spell it exactly. */
function namesTarget(text: string): boolean {
  const words = text.split(/[^a-z]+/).filter(Boolean);
  return words.some((word, index) => containsNear(word, TARGET, 1) || `${word}${words[index + 1] ?? ''}` === TARGET);
}

const lookalikeMessage = () =>
  `looks like a paywall marker but is not one: write ${PAYWALL_MARKER} exactly, alone on its own line, or remove the line`;

/**
 * Closed HTML comments that span lines (`<!--` … `-->`), with the line they start on (1-based). Code is left out
 * (a fence or an inline code span shows `<!--` as text), and so is an unclosed `<!--`, which readers see as text.
 */
function commentsAcrossLines(lines: readonly string[]): { line: number; text: string }[] {
  let fence: string | undefined;
  const outsideCode = lines.map((line) => {
    const opener = /^\s{0,3}(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && opener) fence = opener;
    else if (fence !== undefined && opener?.startsWith(fence)) fence = undefined;
    else if (fence === undefined) return line.replace(/(`+)[^`]*?\1/g, (code) => ' '.repeat(code.length));
    return '';
  });
  const joined = outsideCode.join('\n');
  // Nothing after the last `-->` can be a closed comment: cut it off so unclosed openers cost nothing.
  const body = joined.slice(0, joined.lastIndexOf('-->') + 3);
  const found: { line: number; text: string }[] = [];
  for (const match of body.matchAll(/<!--([\s\S]*?)-->/g)) {
    if (!match[0].includes('\n')) continue;
    found.push({ line: body.slice(0, match.index).split('\n').length, text: match[1] ?? '' });
  }
  return found;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return Math.abs(a.length - b.length);
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => i + j));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const row = rows[i] as number[];
      const previous = rows[i - 1] as number[];
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min((previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j] ?? 0, ((rows[i - 2] as number[])[j - 2] ?? 0) + 1);
      }
    }
  }
  return (rows[a.length] as number[])[b.length] ?? 0;
}

/** Whether some substring of `text` is within `limit` edits of `word` (Sellers' approximate matching). */
function containsNear(text: string, word: string, limit: number): boolean {
  let previous = Array.from({ length: word.length + 1 }, (_, j) => j);
  for (let i = 1; i <= text.length; i++) {
    const current = [0];
    for (let j = 1; j <= word.length; j++) {
      const cost = text[i - 1] === word[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    if ((current[word.length] ?? Infinity) <= limit) return true;
    previous = current;
  }
  return false;
}
