// Web storage that never throws (private modes and full quotas simply lose the value): localStorage
// for what outlives the tab (drafts, choices), sessionStorage for what only this tab's next page needs.

type Area = 'local' | 'session';
const areaOf = (area: Area): Storage => (area === 'local' ? localStorage : sessionStorage);

export function readLocal(key: string, area: Area = 'local'): string | null {
  try {
    return areaOf(area).getItem(key);
  } catch {
    return null;
  }
}

export function writeLocal(key: string, value: string | null, area: Area = 'local'): void {
  try {
    if (value === null || value === '') areaOf(area).removeItem(key);
    else areaOf(area).setItem(key, value);
  } catch {
    // ignored: a lost draft is better than a crashed page
  }
}
