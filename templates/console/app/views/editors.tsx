import type { ApiClient } from '../api';

export function EditorsView(_props: { api: ApiClient }) {
  return (
    <section aria-labelledby="editors-heading">
      <h1 id="editors-heading">Editors</h1>
    </section>
  );
}
