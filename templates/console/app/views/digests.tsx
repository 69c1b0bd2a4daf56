import type { ApiClient } from '../api';

export function DigestsView(_props: { api: ApiClient }) {
  return (
    <section aria-labelledby="digests-heading">
      <h1 id="digests-heading">Digests</h1>
    </section>
  );
}
