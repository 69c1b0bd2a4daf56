import type { ApiClient } from '../api';

export function SubscribersView(_props: { api: ApiClient }) {
  return (
    <section aria-labelledby="subscribers-heading">
      <h1 id="subscribers-heading">Subscribers</h1>
    </section>
  );
}
