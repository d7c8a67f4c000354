// One button per sidebar row that opens the row's actions (rename, pin, archive, export, delete),
// so that a row costs two Tab stops (its link and this button) and its title keeps the row's
// width. The menu follows the WAI-ARIA menu button pattern: Enter, Space or the arrows open it
// with the focus on an item, the arrows, Home and End move, Escape closes it and gives the focus
// back to the button, Tab closes it. It is placed with fixed coordinates so that the list's
// scrolling box does not clip it.
import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import { Icon } from '../../components/icon';

export interface MenuAction {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

interface ConversationMenuProps {
  /** The row's title, for the button's name ("Actions for <title>"). */
  title: string;
  actions: MenuAction[];
  /** Lets the sidebar give the focus back to this button after a rename or a dialog. */
  buttonId: string;
}

export function ConversationMenu({ title, actions, buttonId }: ConversationMenuProps) {
  const [open, setOpen] = useState<null | 'first' | 'last'>(null);
  const [place, setPlace] = useState<{ top: number; left: number } | null>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  const items = () => Array.from(menu.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);

  useLayoutEffect(() => {
    if (!open || !button.current || !menu.current) return;
    const anchor = button.current.getBoundingClientRect();
    const box = menu.current.getBoundingClientRect();
    const below = anchor.bottom + 4;
    const top = below + box.height > window.innerHeight - 8 ? Math.max(8, anchor.top - 4 - box.height) : below;
    setPlace({ top, left: Math.max(8, anchor.right - box.width) });
    const list = items();
    (open === 'last' ? list[list.length - 1] : list[0])?.focus();
  }, [open]);

  function close(refocus: boolean) {
    setOpen(null);
    setPlace(null);
    if (refocus) button.current?.focus();
  }

  function onMenuKey(e: KeyboardEvent<HTMLDivElement>) {
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLButtonElement);
    const move = (i: number) => list[(i + list.length) % list.length]?.focus();
    if (e.key === 'ArrowDown') move(at + 1);
    else if (e.key === 'ArrowUp') move(at - 1);
    else if (e.key === 'Home') move(0);
    else if (e.key === 'End') move(list.length - 1);
    else if (e.key === 'Escape') close(true);
    else if (e.key === 'Tab') close(false);
    else return;
    if (e.key !== 'Tab') e.preventDefault();
    e.stopPropagation();
  }

  const menuId = `${buttonId}-menu`;
  return (
    <div className="conversation-menu">
      <button
        ref={button}
        id={buttonId}
        type="button"
        className="button ghost small icon conversation-menu-button"
        aria-label={`Actions for ${title}`}
        aria-haspopup="menu"
        aria-expanded={open !== null}
        aria-controls={open ? menuId : undefined}
        onClick={() => (open ? close(false) : setOpen('first'))}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            setOpen(e.key === 'ArrowUp' ? 'last' : 'first');
          }
        }}
      >
        <Icon name="more" size={16} />
      </button>
      {open ? (
        <>
          <div className="menu-dismiss" aria-hidden="true" onClick={() => close(false)} />
          <div
            ref={menu}
            id={menuId}
            role="menu"
            aria-label={`Actions for ${title}`}
            className="menu"
            style={place ? { top: place.top, left: place.left } : { opacity: 0 }}
            onKeyDown={onMenuKey}
          >
            {actions.map((a) => (
              <button
                key={a.label}
                type="button"
                role="menuitem"
                tabIndex={-1}
                className={a.danger ? 'menu-item danger' : 'menu-item'}
                onClick={() => {
                  close(false);
                  a.onSelect();
                }}
              >
                {a.label}
              </button>
            ))}
          </div>
        </>
      ) : null}
    </div>
  );
}
