// The theme switch of the top bar: system, light, dark in turn.
import { NEXT_THEME, setTheme, useTheme } from '../lib/theme';

const THEME_LABEL = { system: 'System theme', light: 'Light theme', dark: 'Dark theme' } as const;
const THEME_ICON = { system: '◐', light: '☀', dark: '☾' } as const;

export function ThemeToggle() {
  const theme = useTheme();
  return (
    <button
      type="button"
      className="button ghost small icon"
      onClick={() => setTheme(NEXT_THEME[theme])}
      aria-label={`${THEME_LABEL[theme]} (switch to ${THEME_LABEL[NEXT_THEME[theme]].toLowerCase()})`}
      title={THEME_LABEL[theme]}
    >
      <span aria-hidden="true">{THEME_ICON[theme]}</span>
    </button>
  );
}
