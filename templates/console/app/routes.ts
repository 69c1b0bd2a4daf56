/**
 * The console's views, addressed by the URL fragment (`#/reports/01J…`): the shell is one file at `/console/`, so
 * a reload or a shared link never needs the edge to know the console's routes. Never a token in here.
 */
export type View =
  | { name: 'reports' }
  | { name: 'report'; id?: string }
  | { name: 'digests' }
  | { name: 'subscribers' }
  | { name: 'editors' };

const REPORT_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function viewFromHash(hash: string): View {
  const [first, second] = hash.replace(/^#\/?/, '').split('/');
  switch (first) {
    case 'reports':
      if (second === 'new') return { name: 'report' };
      if (second !== undefined && REPORT_ID.test(second)) return { name: 'report', id: second };
      return { name: 'reports' };
    case 'digests':
    case 'subscribers':
    case 'editors':
      return { name: first };
    default:
      return { name: 'reports' };
  }
}
