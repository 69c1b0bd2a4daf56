import { useEffect, useState } from 'preact/hooks';
import { ApiClient, ApiError, type Role } from './api';
import { viewFromHash, type View } from './routes';
import { forgetToken, keepToken, storedToken } from './session';
import { SETTINGS } from './settings';
import { Notice, problemText } from './ui';
import { DigestsView } from './views/digests';
import { EditorsView } from './views/editors';
import { ReportEditor } from './views/report-editor';
import { ReportsList } from './views/reports-list';
import { SignIn } from './views/sign-in';
import { SubscribersView } from './views/subscribers';

interface Session {
  api: ApiClient;
  /** Digests, subscribers and editors are admin routes; an editor's console leaves them out. */
  role: Role;
}

/**
 * Which console an editor gets: `GET /api/editors` is admin-only, so 403 means an editor token. Any other answer
 * (an older API without the route answers an admin 404) leaves the admin views on; their own calls then say what
 * is wrong.
 */
async function roleOf(api: ApiClient): Promise<Role> {
  try {
    await api.listEditors();
    return 'admin';
  } catch (error) {
    if (error instanceof ApiError && error.status === 403) return 'editor';
    if (error instanceof ApiError && error.status === 401) throw error;
    return 'admin';
  }
}

export function App() {
  const [session, setSession] = useState<Session>();
  const [restoring, setRestoring] = useState(() => storedToken() !== undefined);
  const [signOutReason, setSignOutReason] = useState<string>();
  const [view, setView] = useState<View>(() => viewFromHash(location.hash));

  useEffect(() => {
    const follow = (): void => setView(viewFromHash(location.hash));
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);

  const end = (reason?: string): void => {
    forgetToken();
    setSession(undefined);
    setSignOutReason(reason);
  };

  /** Checks the token with a harmless editor call, then keeps it for this tab only. */
  const begin = async (token: string): Promise<void> => {
    const api = new ApiClient(token, (message) => end(`Signed out: ${message}. Sign in again.`));
    const probe = new ApiClient(token);
    await probe.listReports({ limit: 1 });
    const role = await roleOf(probe);
    keepToken(token);
    setSignOutReason(undefined);
    setSession({ api, role });
  };

  useEffect(() => {
    const token = storedToken();
    if (token === undefined) return;
    begin(token)
      .catch((error: unknown) => end(problemText(error)))
      .finally(() => setRestoring(false));
  }, []);

  if (restoring) return <p aria-busy="true">Signing in…</p>;
  if (session === undefined) return <SignIn onSignIn={begin} reason={signOutReason} />;

  const admin = session.role === 'admin';
  const adminOnly = view.name === 'digests' || view.name === 'subscribers' || view.name === 'editors';
  return (
    <>
      <header class="masthead">
        <p class="brand">{SETTINGS.name} · console</p>
        <nav aria-label="Console">
          <a href="#/reports" aria-current={view.name === 'reports' || view.name === 'report' ? 'page' : undefined}>
            Reports
          </a>
          {admin && (
            <>
              <a href="#/digests" aria-current={view.name === 'digests' ? 'page' : undefined}>
                Digests
              </a>
              <a href="#/subscribers" aria-current={view.name === 'subscribers' ? 'page' : undefined}>
                Subscribers
              </a>
              <a href="#/editors" aria-current={view.name === 'editors' ? 'page' : undefined}>
                Editors
              </a>
            </>
          )}
        </nav>
        <button type="button" class="sign-out" onClick={() => end('You signed out.')}>
          Sign out
        </button>
      </header>
      <main>
        {adminOnly && !admin ? (
          <Notice kind="info">This part of the console is for admins.</Notice>
        ) : (
          <CurrentView view={view} api={session.api} />
        )}
      </main>
    </>
  );
}

function CurrentView(props: { view: View; api: ApiClient }) {
  const { view, api } = props;
  switch (view.name) {
    case 'reports':
      return <ReportsList api={api} />;
    case 'report':
      return <ReportEditor api={api} id={view.id} />;
    case 'digests':
      return <DigestsView api={api} />;
    case 'subscribers':
      return <SubscribersView api={api} />;
    case 'editors':
      return <EditorsView api={api} />;
  }
}
