// Shared pieces: links, status badges (colour, icon and text), errors, ages and the dialog.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { relativeTime } from './format.ts';
import { isAppClick, navigate } from './nav.ts';
import type { Act } from './use-act.ts';

export function Link(props: { href: string; class?: string; current?: boolean; children: ComponentChildren }) {
  return (
    <a
      href={props.href}
      class={props.class}
      aria-current={props.current ? 'page' : undefined}
      onClick={(e) => {
        if (!isAppClick(e, props.href)) return;
        e.preventDefault();
        navigate(props.href);
      }}
    >
      {props.children}
    </a>
  );
}

type IconName = 'check' | 'cross' | 'warn' | 'spin' | 'question' | 'pause' | 'missing' | 'dot' | 'stop';
type Tone = 'good' | 'warn' | 'bad' | 'busy' | 'neutral';

const PATHS: Record<IconName, string> = {
  check: 'M3 8.5l3 3 7-7',
  cross: 'M4 4l8 8M12 4l-8 8',
  warn: 'M8 1.8l6.6 11.7H1.4zM8 6.2v3.3M8 11.4v.2',
  spin: 'M13.5 8A5.5 5.5 0 1 1 11.9 4.1M13 1.8v3h-3',
  question: 'M5.8 6a2.2 2.2 0 1 1 2.9 2.1c-.5.2-.7.6-.7 1.1v.4M8 12.2v.2',
  pause: 'M5.5 3.5v9M10.5 3.5v9',
  missing: 'M3.8 12.2l8.4-8.4M13.5 8A5.5 5.5 0 1 1 2.5 8a5.5 5.5 0 0 1 11 0',
  dot: 'M8 5.5a2.5 2.5 0 1 1 0 5 2.5 2.5 0 0 1 0-5',
  stop: 'M4 4h8v8H4z',
};

export function Icon(props: { name: IconName }) {
  return (
    <svg class="icon" viewBox="0 0 16 16" width="16" height="16" aria-hidden="true" focusable="false">
      <path d={PATHS[props.name]} />
    </svg>
  );
}

const STATUS: Record<string, [Tone, IconName]> = {
  Synced: ['good', 'check'],
  Healthy: ['good', 'check'],
  Succeeded: ['good', 'check'],
  True: ['good', 'check'],
  OutOfSync: ['warn', 'warn'],
  Degraded: ['bad', 'cross'],
  Failed: ['bad', 'cross'],
  False: ['bad', 'cross'],
  Warning: ['warn', 'warn'],
  Progressing: ['busy', 'spin'],
  Running: ['busy', 'spin'],
  Terminating: ['busy', 'spin'],
  Suspended: ['neutral', 'pause'],
  Ready: ['good', 'check'],
  NotReady: ['warn', 'warn'],
  FetchFailed: ['bad', 'cross'],
  Missing: ['neutral', 'missing'],
  Pending: ['neutral', 'dot'],
  Skipped: ['neutral', 'dot'],
  Normal: ['neutral', 'dot'],
  automated: ['good', 'spin'],
  manual: ['neutral', 'dot'],
  paused: ['warn', 'pause'],
  suspended: ['warn', 'stop'],
};

/** A status readable without colour: the icon and the word carry it too. */
export function Status(props: { value: string | undefined; label?: string; title?: string }) {
  const value = props.value ?? 'Unknown';
  const [tone, icon] = STATUS[value] ?? ['neutral', 'question'];
  return (
    <span class={`status tone-${tone}`} title={props.title}>
      <Icon name={icon} />
      {props.label ? <span class="sr-only">{props.label}: </span> : null}
      <span>{value}</span>
    </span>
  );
}

export function ErrorBox(props: { error: string | undefined; onDismiss?: () => void }) {
  if (!props.error) return null;
  return (
    <div class="error" role="alert">
      <Icon name="cross" />
      <span class="error-text">{props.error}</span>
      {props.onDismiss ? (
        <button type="button" class="link-button" onClick={props.onDismiss}>
          Dismiss
        </button>
      ) : null}
    </div>
  );
}

/** The clock, ticking every 15 s, for relative ages. */
export function useNow(): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 15_000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function Age(props: { at: string | undefined; now: number }) {
  if (!props.at) return null;
  return (
    <time dateTime={props.at} title={new Date(props.at).toLocaleString()}>
      {relativeTime(props.at, props.now)}
    </time>
  );
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, [tabindex="0"]';

/** A modal dialog: labelled by its title, focus kept inside, Esc closes, focus returns after. */
export function Dialog(props: { title: string; onClose: () => void; children: ComponentChildren; wide?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const close = useRef(props.onClose);
  close.current = props.onClose;
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    const box = ref.current;
    (box?.querySelector<HTMLElement>('[autofocus], ' + FOCUSABLE) ?? box)?.focus();
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close.current();
      } else if (e.key === 'Tab' && box) {
        const items = [...box.querySelectorAll<HTMLElement>(FOCUSABLE)];
        const first = items[0];
        const last = items.at(-1);
        if (!first || !last) return;
        if (e.shiftKey && document.activeElement === first) {
          e.preventDefault();
          last.focus();
        } else if (!e.shiftKey && document.activeElement === last) {
          e.preventDefault();
          first.focus();
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('keydown', onKey);
      opener?.focus();
    };
  }, []);
  return (
    <div class="backdrop">
      <div
        ref={ref}
        class={props.wide ? 'dialog wide' : 'dialog'}
        role="dialog"
        aria-modal="true"
        aria-labelledby="dialog-title"
        tabIndex={-1}
      >
        <div class="dialog-head">
          <h2 id="dialog-title">{props.title}</h2>
          <button type="button" class="icon-button" aria-label="Close" onClick={props.onClose}>
            <Icon name="cross" />
          </button>
        </div>
        {props.children}
      </div>
    </div>
  );
}

/** Suspend or Resume, whichever applies; `path` says where each POSTs, `stops` what a suspension stops. */
export function SuspendToggle(props: {
  readonly act: Act;
  readonly suspended: boolean;
  readonly path: (verb: 'suspend' | 'resume') => string;
  readonly stops: string;
}) {
  const { act } = props;
  if (props.suspended)
    return (
      <button type="button" disabled={act.busy} onClick={() => act.run('Resume', props.path('resume'), 'Resumed.')}>
        Resume
      </button>
    );
  const done = `Suspended: ${props.stops} until you resume.`;
  return (
    <button type="button" disabled={act.busy} onClick={() => act.run('Suspend', props.path('suspend'), done)}>
      Suspend
    </button>
  );
}
