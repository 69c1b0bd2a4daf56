import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type ApiClient, type ReportDetail, type ReportMailPreview, type ReportPreview } from '../api';
import { uploadImage } from '../media';
import { emptyForm, formFromReport, inputFromForm, insertAt, PAYWALL_MARKER, type ReportForm } from '../report-form';
import { reportStatus, STATUS_LABELS } from '../report-status';
import { SETTINGS } from '../settings';
import { ConfirmButton, fieldProblems, formatDate, Notice, ProblemNotice, problemText } from '../ui';
import { ReportPreviewPane, type PreviewView } from './report-preview';

/** How long typing must pause before the draft is sent for a preview. */
const PREVIEW_DELAY_MS = 600;

const newKey = (): string => crypto.randomUUID();

/**
 * Writing or correcting one report: the front-matter fields, the Markdown body, image upload, and beside them
 * the server's preview for a free and a paid reader. Saving creates the report, or updates it with the revision
 * it was loaded at (If-Match), so someone else's newer revision is refused rather than overwritten.
 */
export function ReportEditor(props: { api: ApiClient; id?: string }) {
  const { api, id } = props;
  const [original, setOriginal] = useState<ReportDetail>();
  const [form, setForm] = useState<ReportForm>(() => emptyForm(SETTINGS.series[0]?.id ?? ''));
  const [loadError, setLoadError] = useState<unknown>();
  const [preview, setPreview] = useState<ReportPreview>();
  const [previewError, setPreviewError] = useState<unknown>();
  const [previewView, setPreviewView] = useState<PreviewView>('page');
  const [mail, setMail] = useState<ReportMailPreview>();
  const [mailError, setMailError] = useState<unknown>();
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<unknown>();
  const [saved, setSaved] = useState<string>();
  // One key per intended submit: kept across a network failure (a retry then replays), renewed after any answer.
  const idempotencyKey = useRef(newKey());

  const reload = async (reportId: string): Promise<void> => {
    try {
      const report = await api.getReport(reportId);
      setOriginal(report);
      setForm(formFromReport(report));
      setLoadError(undefined);
    } catch (caught) {
      setLoadError(caught);
    }
  };
  useEffect(() => {
    if (id === undefined) {
      setOriginal(undefined);
      setForm(emptyForm(SETTINGS.series[0]?.id ?? ''));
      return;
    }
    void reload(id);
  }, [api, id]);

  const ready = form.title.trim() !== '' && form.summary.trim() !== '' && form.body.trim() !== '';
  useEffect(() => {
    if (!ready) {
      setPreview(undefined);
      setPreviewError(undefined);
      return undefined;
    }
    let current = true;
    const timer = setTimeout(() => {
      api.previewReport(inputFromForm(form, original)).then(
        (answer) => {
          if (!current) return;
          setPreview(answer);
          setPreviewError(undefined);
        },
        (caught: unknown) => {
          if (current) setPreviewError(caught);
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, form, original, ready]);

  // The email comes from digests-api, which compiles MJML twice per call: asked for only while its tab is open.
  const mailShown = ready && previewView === 'email';
  useEffect(() => {
    if (!ready) {
      setMail(undefined);
      setMailError(undefined);
    }
    if (!mailShown) return undefined;
    let current = true;
    const timer = setTimeout(() => {
      api.previewReportMail(inputFromForm(form, original)).then(
        (answer) => {
          if (!current) return;
          setMail(answer);
          setMailError(undefined);
        },
        (caught: unknown) => {
          if (current) setMailError(caught);
        },
      );
    }, PREVIEW_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, form, original, ready, mailShown]);

  const set = <K extends keyof ReportForm>(name: K, value: ReportForm[K]): void =>
    setForm((current) => ({ ...current, [name]: value }));

  const save = async (): Promise<void> => {
    setSaving(true);
    setSaved(undefined);
    setSaveError(undefined);
    try {
      if (original === undefined) {
        const created = await api.createReport(inputFromForm(form), idempotencyKey.current);
        idempotencyKey.current = newKey();
        setSaved(`Created “${form.title}” (revision ${created.revision}).`);
        location.hash = `#/reports/${created.id}`;
      } else {
        const updated = await api.updateReport(original.id, original.revision, inputFromForm(form, original));
        await reload(original.id);
        setSaved(`Updated to revision ${updated.revision}.`);
      }
    } catch (caught) {
      if (!(caught instanceof ApiError && caught.status === 0)) idempotencyKey.current = newKey();
      setSaveError(caught);
    } finally {
      setSaving(false);
    }
  };

  const unpublish = async (): Promise<void> => {
    if (original === undefined) return;
    setSaved(undefined);
    setSaveError(undefined);
    try {
      const answer = await api.unpublishReport(original.id);
      await reload(original.id);
      const paused = answer.pausedEditions?.length ?? 0;
      setSaved(`Unpublished.${paused > 0 ? ` ${paused} digest edition(s) sending it were paused.` : ''}`);
    } catch (caught) {
      setSaveError(caught);
    }
  };

  if (loadError !== undefined) return <ProblemNotice error={loadError} />;
  if (id !== undefined && original === undefined) return <p aria-busy="true">Loading the report…</p>;

  const problems = fieldProblems(saveError);
  const problemFor = (field: string): string | undefined =>
    problems.find((problem) => problem.field === field)?.message;
  const status = original === undefined ? undefined : reportStatus(original, new Date());
  const stale = saveError instanceof ApiError && saveError.status === 412;
  const heading = original === undefined ? 'New report' : `Edit: ${original.title}`;

  return (
    <section aria-labelledby="editor-heading" class="editor">
      <div class="toolbar">
        <h1 id="editor-heading">{heading}</h1>
        <a href="#/reports">Back to reports</a>
      </div>
      {original !== undefined && status !== undefined && (
        <p class="report-facts">
          <span class={`status status-${status}`}>{STATUS_LABELS[status]}</span> revision {original.revision} · go-live{' '}
          {formatDate(original.publishAt)}
          {original.freeAt !== undefined ? ` · free from ${formatDate(original.freeAt)}` : ''} ·{' '}
          <a href={original.state === 'live' ? `/reports/${original.slug}/` : undefined}>/reports/{original.slug}/</a>
        </p>
      )}
      {saved !== undefined && <Notice kind="ok">{saved}</Notice>}
      {saveError !== undefined &&
        (stale ? (
          <Notice kind="error">
            <p>Someone else saved a newer revision while you were editing. Your text is still in the form.</p>
            <button type="button" onClick={() => original && void reload(original.id)}>
              Load their revision (discards your changes)
            </button>
          </Notice>
        ) : (
          <ProblemNotice error={saveError} />
        ))}
      <div class="editor-columns">
        <form
          class="report-form"
          aria-label="Report"
          onSubmit={(event) => {
            event.preventDefault();
            void save();
          }}
        >
          <Field label="Title" name="title" problem={problemFor('title')}>
            <input
              id="f-title"
              name="title"
              required
              value={form.title}
              onInput={(e) => set('title', e.currentTarget.value)}
            />
          </Field>
          <Field label="Summary (always public)" name="summary" problem={problemFor('summary')}>
            <textarea
              id="f-summary"
              name="summary"
              rows={2}
              required
              value={form.summary}
              onInput={(e) => set('summary', e.currentTarget.value)}
            />
          </Field>
          <div class="row">
            <Field label="Tier" name="tier" problem={problemFor('tier')}>
              <select
                id="f-tier"
                name="tier"
                value={form.tier}
                onChange={(e) =>
                  set('tier', e.currentTarget.value === 'complimentary' ? 'complimentary' : 'subscriber')
                }
              >
                <option value="subscriber">Subscriber</option>
                <option value="complimentary">Complimentary</option>
              </select>
            </Field>
            <Field label="Series" name="series" problem={problemFor('series')}>
              <select
                id="f-series"
                name="series"
                value={form.series}
                onChange={(e) => set('series', e.currentTarget.value)}
              >
                {SETTINGS.series.map((series) => (
                  <option key={series.id} value={series.id}>
                    {series.name}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <div class="row">
            <Field label="Tags (comma-separated)" name="tags" problem={problemFor('tags')}>
              <input id="f-tags" name="tags" value={form.tags} onInput={(e) => set('tags', e.currentTarget.value)} />
            </Field>
            <Field label="Authors (comma-separated)" name="authors" problem={problemFor('authors')}>
              <input
                id="f-authors"
                name="authors"
                value={form.authors}
                onInput={(e) => set('authors', e.currentTarget.value)}
              />
            </Field>
          </div>
          <div class="row">
            <Field label="Go-live (empty: now; later: scheduled)" name="publishAt" problem={problemFor('publishAt')}>
              <input
                id="f-publishAt"
                name="publishAt"
                type="datetime-local"
                value={form.publishAt}
                onInput={(e) => set('publishAt', e.currentTarget.value)}
              />
            </Field>
            <Field label="Free after (date or duration, e.g. P30D)" name="freeAfter" problem={problemFor('freeAfter')}>
              <input
                id="f-freeAfter"
                name="freeAfter"
                value={form.freeAfter}
                placeholder="P30D"
                onInput={(e) => set('freeAfter', e.currentTarget.value)}
              />
            </Field>
          </div>
          <Field
            label="Body (Markdown)"
            name="body"
            problem={problemFor('body')}
            hint={`Put ${PAYWALL_MARKER} on its own line where the subscriber-only part begins.`}
          >
            <BodyEditor api={api} value={form.body} onChange={(body) => set('body', body)} />
          </Field>
          <div class="actions">
            <button type="submit" class="primary" disabled={saving}>
              {original === undefined
                ? 'Publish report'
                : original.state === 'unpublished'
                  ? 'Save and republish'
                  : 'Save correction'}
            </button>
            {original !== undefined && original.state === 'live' && (
              <ConfirmButton
                label="Unpublish"
                confirmLabel="Confirm unpublish"
                danger
                onConfirm={() => void unpublish()}
              />
            )}
          </div>
        </form>
        <section class="preview-column" aria-labelledby="preview-heading">
          <h2 id="preview-heading">Preview</h2>
          {!ready && <p>Fill in the title, summary and body to see what a free and a paid reader get.</p>}
          {ready && previewError !== undefined && <ProblemNotice error={previewError} />}
          {ready && preview !== undefined && (
            <ReportPreviewPane
              title={form.title}
              summary={form.summary}
              tier={form.tier}
              preview={preview}
              view={previewView}
              onView={setPreviewView}
              mail={mail}
              mailError={mailError}
            />
          )}
        </section>
      </div>
    </section>
  );
}

function Field(props: { label: string; name: string; problem?: string; hint?: string; children: ComponentChildren }) {
  const problemId = `f-${props.name}-problem`;
  const hintId = `f-${props.name}-hint`;
  return (
    <div class={`field${props.problem !== undefined ? ' invalid' : ''}`}>
      <label for={`f-${props.name}`}>{props.label}</label>
      {props.children}
      {props.hint !== undefined && (
        <p id={hintId} class="hint">
          {props.hint}
        </p>
      )}
      {props.problem !== undefined && (
        <p id={problemId} class="field-problem">
          {props.problem}
        </p>
      )}
    </div>
  );
}

/** The Markdown textarea with an image upload that inserts `![alt](url)` where the caret is. */
function BodyEditor(props: { api: ApiClient; value: string; onChange: (body: string) => void }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const [alt, setAlt] = useState('');
  const [uploading, setUploading] = useState(false);
  const [uploadProblem, setUploadProblem] = useState<string>();
  const [uploaded, setUploaded] = useState<string>();

  const upload = async (): Promise<void> => {
    const file = fileInput.current?.files?.[0];
    if (file === undefined) {
      setUploadProblem('Choose an image first');
      return;
    }
    setUploading(true);
    setUploadProblem(undefined);
    setUploaded(undefined);
    try {
      const markdown = await uploadImage(props.api, file, alt);
      const textarea = area.current;
      const start = textarea?.selectionStart ?? props.value.length;
      const end = textarea?.selectionEnd ?? start;
      const next = insertAt(props.value, start, end, markdown);
      props.onChange(next.body);
      setUploaded(`Inserted ${file.name}.`);
      setAlt('');
      if (fileInput.current) fileInput.current.value = '';
    } catch (caught) {
      setUploadProblem(problemText(caught));
    } finally {
      setUploading(false);
    }
  };

  return (
    <>
      <textarea
        id="f-body"
        name="body"
        ref={area}
        rows={18}
        required
        spellcheck
        aria-describedby="f-body-hint"
        value={props.value}
        onInput={(e) => props.onChange(e.currentTarget.value)}
      />
      <fieldset class="image-upload">
        <legend>Insert an image</legend>
        <label for="f-image">Image (JPEG, PNG, WebP or GIF, at most 10 MB)</label>
        <input id="f-image" ref={fileInput} type="file" accept="image/jpeg,image/png,image/webp,image/gif" />
        <label for="f-image-alt">What it shows (alt text, required)</label>
        <input id="f-image-alt" value={alt} onInput={(e) => setAlt(e.currentTarget.value)} />
        <button type="button" disabled={uploading} onClick={() => void upload()}>
          {uploading ? 'Uploading…' : 'Upload and insert'}
        </button>
        {uploadProblem !== undefined && <Notice kind="error">{uploadProblem}</Notice>}
        {uploaded !== undefined && <Notice kind="ok">{uploaded}</Notice>}
      </fieldset>
    </>
  );
}
