import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';
import type { CombinedError } from 'urql';
import { ErrorMessage } from './ErrorMessage';

/**
 * A modal question before something that cannot be undone: open while
 * mounted. The native <dialog> keeps focus inside, closes on Escape and gives
 * focus back to what opened it.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel,
  busyLabel = 'Working…',
  ready = true,
  busy = false,
  error,
  onConfirm,
  onClose,
}: {
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busyLabel?: string;
  /** False until the user has done what confirming needs (e.g. typed a name). */
  ready?: boolean;
  busy?: boolean;
  error?: CombinedError;
  onConfirm: () => void;
  onClose: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // A layout effect: its clean-up runs while the dialog is still in the
  // document, so closing it can restore focus.
  useLayoutEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // jsdom has no showModal.
    if (typeof dialog.showModal === 'function') dialog.showModal();
    else dialog.setAttribute('open', '');
    return () => {
      if (typeof dialog.close === 'function') dialog.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form
        className="stack"
        onSubmit={(event) => {
          event.preventDefault();
          if (ready && !busy) onConfirm();
        }}
      >
        <h2 id={titleId}>{title}</h2>
        {children}
        {error && <ErrorMessage error={error} title="That did not work." />}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
          <button type="submit" className="button button-danger" disabled={!ready || busy}>
            {busy ? busyLabel : confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
