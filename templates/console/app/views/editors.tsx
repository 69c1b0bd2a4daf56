import { useEffect, useState } from 'preact/hooks';
import type { ApiClient, Editor, NewEditor, Role } from '../api';
import { ConfirmButton, formatDate, Notice, ProblemNotice } from '../ui';

/** Editors (admin): who may use the API and the console; create one (its token is shown once) or revoke one. */
export function EditorsView(props: { api: ApiClient }) {
  const { api } = props;
  const [editors, setEditors] = useState<Editor[]>([]);
  const [error, setError] = useState<unknown>();
  const [created, setCreated] = useState<NewEditor>();
  const [revoked, setRevoked] = useState<string>();

  const load = async (): Promise<void> => {
    try {
      setEditors((await api.listEditors()).items);
      setError(undefined);
    } catch (caught) {
      setError(caught);
    }
  };
  useEffect(() => {
    void load();
  }, [api]);

  const revoke = async (editor: Editor): Promise<void> => {
    setRevoked(undefined);
    try {
      await api.revokeEditor(editor.id);
      setRevoked(`${editor.name} can no longer sign in; their token is refused from now on.`);
      await load();
    } catch (caught) {
      setError(caught);
    }
  };

  return (
    <section aria-labelledby="editors-heading">
      <div class="toolbar">
        <h1 id="editors-heading">Editors</h1>
      </div>
      <CreateEditor
        api={api}
        onCreated={(editor) => {
          setCreated(editor);
          void load();
        }}
      />
      {created !== undefined && (
        <Notice kind="ok">
          <p>
            Created {created.name} ({created.role}). Give them this token now: it is shown once and cannot be read
            again.
          </p>
          <label for="new-token">Token for {created.name}</label>
          <input
            id="new-token"
            class="token-once"
            readOnly
            value={created.token}
            onFocus={(e) => e.currentTarget.select()}
          />
          <button type="button" onClick={() => setCreated(undefined)}>
            I have passed it on
          </button>
        </Notice>
      )}
      {revoked !== undefined && <Notice kind="ok">{revoked}</Notice>}
      {error !== undefined && <ProblemNotice error={error} />}
      <div class="table-wrap">
        <table>
          <caption class="visually-hidden">Editors</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">Access</th>
            </tr>
          </thead>
          <tbody>
            {editors.map((editor) => (
              <tr key={editor.id}>
                <td>{editor.name}</td>
                <td>{editor.role}</td>
                <td>{formatDate(editor.createdAt)}</td>
                <td>
                  {editor.revokedAt !== undefined ? (
                    `revoked ${formatDate(editor.revokedAt)}`
                  ) : (
                    <ConfirmButton
                      label={`Revoke ${editor.name}`}
                      confirmLabel={`Confirm: revoke ${editor.name}`}
                      danger
                      onConfirm={() => void revoke(editor)}
                    />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function CreateEditor(props: { api: ApiClient; onCreated: (editor: NewEditor) => void }) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('editor');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  return (
    <section aria-labelledby="create-editor-heading" class="panel">
      <h2 id="create-editor-heading">Add an editor</h2>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          setError(undefined);
          props.api
            .createEditor({ name: name.trim(), role })
            .then((editor) => {
              setName('');
              props.onCreated(editor);
            })
            .catch(setError)
            .finally(() => setBusy(false));
        }}
      >
        <label for="editor-name">Name</label>
        <input id="editor-name" required value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="editor-role">Role</label>
        <select
          id="editor-role"
          value={role}
          onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'editor')}
        >
          <option value="editor">editor (reports only)</option>
          <option value="admin">admin (everything)</option>
        </select>
        <button type="submit" class="primary" disabled={busy}>
          Create
        </button>
      </form>
      {error !== undefined && <ProblemNotice error={error} />}
    </section>
  );
}
