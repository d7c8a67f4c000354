// Usage: this month's meter, the reset date, tokens by day and by model, and the user's own cap.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../../components/error-note';
import { Field } from '../../components/field';
import { MonthSelect } from '../../components/month-select';
import { useSession } from '../../lib/app-context';
import { capitalize, formatDate, formatInt, formatMonth, monthOf } from '../../lib/format';
import { ApiError } from '../../lib/problem';
import { Link } from '../../lib/router';
import { SubscriptionCard } from '../billing/subscription-facts';
import { ModelTable } from './model-table';
import { TiersTable } from './tiers-table';
import { useSetUsageCap, useUsage } from './usage-api';
import { UsageChart } from './usage-chart';
import { UsageMeter } from './usage-meter';

export function UsagePage() {
  const { user } = useSession();
  const [month, setMonth] = useState(() => monthOf(new Date()));
  const usage = useUsage(month);
  const u = usage.data;

  return (
    <main className="page">
      <div className="page-head">
        <h1>Usage</h1>
        <MonthSelect id="usage-month" value={month} onChange={setMonth} since={user?.created_at} />
      </div>
      {usage.isPending ? <p className="muted">Loading…</p> : null}
      {usage.isError ? <ErrorNote error={usage.error} /> : null}
      {u ? (
        <>
          <section className="card" aria-labelledby="meter-title">
            <h2 id="meter-title" className="visually-hidden">
              Tokens used
            </h2>
            <UsageMeter used={u.used} reserved={u.reserved} limit={u.effective_limit} label={`Tokens in ${formatMonth(u.month)}`} />
            <dl className="facts">
              <div>
                <dt>Tier</dt>
                <dd>
                  {capitalize(u.tier)} ({formatInt(u.limit)} tokens a month)
                </dd>
              </div>
              <div>
                <dt>Your cap</dt>
                <dd>{u.personal_cap === null ? 'None' : `${formatInt(u.personal_cap)} tokens`}</dd>
              </div>
              <div>
                <dt>Resets on</dt>
                <dd>{formatDate(u.resets_at)}</dd>
              </div>
            </dl>
          </section>

          <SubscriptionCard />

          <section className="card" aria-labelledby="by-day-title">
            <h2 id="by-day-title">By day</h2>
            <UsageChart month={u.month} days={u.by_day} />
          </section>

          <section className="card" aria-labelledby="by-model-title">
            <h2 id="by-model-title">By model</h2>
            <ModelTable rows={u.by_model} />
          </section>

          <section className="card" aria-labelledby="cap-title">
            <h2 id="cap-title">Your monthly cap</h2>
            <p className="muted">Stop before the tier&apos;s limit: requests beyond your own cap are refused too.</p>
            <CapForm current={u.personal_cap} />
          </section>

          <section className="card" aria-labelledby="tiers-title">
            <h2 id="tiers-title">Tiers</h2>
            <TiersTable current={u.tier} caption="What each tier allows" />
            <p>
              <Link to="/plans">See the plans</Link>
            </p>
          </section>
        </>
      ) : null}
    </main>
  );
}

/** The cap applies to the current month, whatever month the page shows: its use is what a cap is checked against. */
function CapForm({ current }: { current: number | null }) {
  const setCap = useSetUsageCap();
  const thisMonth = useUsage(monthOf(new Date())).data;
  const [value, setValue] = useState(current === null ? '' : String(current));
  const [error, setError] = useState<string | undefined>();
  const [saved, setSaved] = useState<string | null>(null);
  const busy = setCap.isPending;

  async function save(cap: number | null) {
    setError(undefined);
    setSaved(null);
    try {
      await setCap.mutateAsync(cap);
      setSaved(cap === null ? 'Cap removed.' : 'Cap saved.');
      if (cap === null) setValue('');
    } catch (err) {
      setError(err instanceof ApiError ? (Object.values(err.fieldErrors())[0] ?? err.message) : 'Could not save the cap.');
    }
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    const n = Number(value);
    if (!value.trim() || !Number.isInteger(n) || n < 0) {
      setError('Enter a whole number of tokens (0 or more), or remove the cap.');
      return;
    }
    void save(n);
  }

  const typed = value.trim() ? Number(value) : NaN;
  const used = thisMonth?.used ?? 0;
  const belowUse = Number.isInteger(typed) && typed >= 0 && thisMonth !== undefined && typed <= used;

  return (
    <form className="cap-form" onSubmit={submit}>
      <Field
        label="Monthly token cap"
        type="number"
        min={0}
        step={1}
        inputMode="numeric"
        value={value}
        onChange={(e) => setValue(e.target.value)}
        error={error}
      />
      {belowUse ? (
        <p className="notice" role="status">
          This cap is at or below the {formatInt(used)} tokens you have used this month: new messages will be refused until it resets on{' '}
          {formatDate(thisMonth.resets_at)}.
        </p>
      ) : null}
      <div className="row">
        <button type="submit" className="button primary" disabled={busy}>
          Save cap
        </button>
        {current !== null ? (
          <button type="button" className="button" disabled={busy} onClick={() => void save(null)}>
            Remove cap
          </button>
        ) : null}
        {saved ? (
          <span role="status" className="muted">
            {saved}
          </span>
        ) : null}
      </div>
    </form>
  );
}
