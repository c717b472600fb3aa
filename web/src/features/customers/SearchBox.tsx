import { useEffect, useRef, useState } from 'react';
import { useSearchParams } from 'react-router-dom';

export const SEARCH_DEBOUNCE_MS = 250;

/** As-you-type search: the URL's `q` follows the text after a short pause. */
export function SearchBox({ delay = SEARCH_DEBOUNCE_MS }: { delay?: number }) {
  const [params, setParams] = useSearchParams();
  const q = params.get('q') ?? '';
  const [text, setText] = useState(q);
  const typed = useRef(q);

  // Back/forward or a link changed q: show it.
  useEffect(() => {
    if (q !== typed.current) {
      typed.current = q;
      setText(q);
    }
  }, [q]);

  useEffect(() => {
    if (text === typed.current) return;
    const timer = setTimeout(() => {
      typed.current = text;
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (text.trim()) next.set('q', text);
          else next.delete('q');
          return next;
        },
        { replace: true },
      );
    }, delay);
    return () => clearTimeout(timer);
  }, [text, delay, setParams]);

  return (
    <div role="search">
      <label htmlFor="customer-search" className="visually-hidden">
        Search customers
      </label>
      <input
        id="customer-search"
        className="search"
        type="search"
        placeholder="Search by name, email or distinct id…"
        autoComplete="off"
        spellCheck={false}
        value={text}
        onChange={(e) => setText(e.target.value)}
      />
    </div>
  );
}
