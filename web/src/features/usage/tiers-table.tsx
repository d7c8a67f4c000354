// The public tiers (GET /api/tiers): what each allows, with the reader's own tier marked.
import { useQuery } from '@tanstack/react-query';
import { useApi } from '../../lib/app-context';
import { formatInt } from '../../lib/format';
import type { Tier, TierName } from '../../lib/types';

export function useTiers() {
  const api = useApi();
  return useQuery({ queryKey: ['tiers'], queryFn: ({ signal }) => api<{ tiers: Tier[] }>('/api/tiers', { signal }), staleTime: 300_000 });
}

export function TiersTable({ current, caption = 'Tiers' }: { current?: TierName | undefined; caption?: string }) {
  const tiers = useTiers();
  if (tiers.isPending) return <p className="muted">Loading tiers…</p>;
  if (tiers.isError) return null;
  return (
    <div className="table-scroll">
      <table className="data-table tiers-table">
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">Tier</th>
            <th scope="col" className="num">
              Tokens per month
            </th>
            <th scope="col" className="num">
              Requests per minute
            </th>
            <th scope="col">Models</th>
          </tr>
        </thead>
        <tbody>
          {tiers.data.tiers.map((t) => (
            <tr key={t.name} aria-current={t.name === current ? 'true' : undefined} className={t.name === current ? 'current' : undefined}>
              <th scope="row">
                {capitalize(t.name)}
                {t.name === current ? <span className="badge">yours</span> : null}
              </th>
              <td className="num">{formatInt(t.monthly_tokens)}</td>
              <td className="num">{formatInt(t.requests_per_minute)}</td>
              <td>{t.models.includes('*') ? 'All models' : t.models.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
