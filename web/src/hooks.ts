import type { FormInstance } from 'antd';
import dayjs from 'dayjs';
import { useCallback, useEffect, useRef, useState } from 'react';
import { errorMessage } from './api.ts';
import { applyServerErrors } from './formErrors.ts';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  /** True from the very render in which `deps` change until their answer arrives (no stale "done" frame). */
  loading: boolean;
  reload: () => void;
}

interface State<T> {
  key: string | undefined;
  data: T | undefined;
  error: string | undefined;
}

/**
 * Run an API call whenever `deps` (primitives) change and keep its result; the previous data stays visible while the
 * next loads. A stale answer (deps changed meanwhile) is dropped. Pass `null` as the loader to load nothing.
 */
export function useApi<T>(loader: (() => Promise<T>) | null, deps: readonly unknown[]): Loaded<T> {
  const [tick, setTick] = useState(0);
  const [state, setState] = useState<State<T>>({ key: undefined, data: undefined, error: undefined });
  const loaderRef = useRef(loader);
  loaderRef.current = loader;
  const active = loader !== null;
  const key = JSON.stringify([active, ...deps, tick]);

  useEffect(() => {
    const load = loaderRef.current;
    if (!load) {
      setState({ key, data: undefined, error: undefined });
      return;
    }
    let live = true;
    load().then(
      (data) => { if (live) setState({ key, data, error: undefined }); },
      (e: unknown) => { if (live) setState({ key, data: undefined, error: errorMessage(e) }); },
    );
    return () => {
      live = false;
    };
  }, [key]);

  const reload = useCallback(() => setTick((n) => n + 1), []);
  return {
    data: active ? state.data : undefined,
    error: active && state.key === key ? state.error : undefined,
    loading: active && state.key !== key,
    reload,
  };
}

/** A real calendar day written YYYY-MM-DD (not 2026-02-31), or undefined. */
export function validDay(v: string | null): string | undefined {
  return v !== null && /^\d{4}-\d{2}-\d{2}$/.test(v) && dayjs(v).format('YYYY-MM-DD') === v ? v : undefined;
}

/** A YYYY-MM-DD day kept in the address (?name=), or the fallback when absent or malformed. */
export function dayParam(params: URLSearchParams, name: string, fallback: string): string {
  return validDay(params.get(name)) ?? fallback;
}

/** A positive whole number kept in the address (a project, a page, a house), or the fallback. */
export function intParam(v: string | null): number | undefined;
export function intParam(v: string | null, fallback: number): number;
export function intParam(v: string | null, fallback?: number): number | undefined {
  if (v === null || v === '') return fallback;
  const n = Number(v);
  return Number.isSafeInteger(n) && n > 0 ? n : fallback;
}

/** URL search parameters with some changed: an empty or undefined value removes the parameter. */
export function withParams(params: URLSearchParams, changes: Record<string, string | number | undefined>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined || v === '') next.delete(k);
    else next.set(k, String(v));
  }
  return next;
}

export interface FormSubmit<V> {
  busy: boolean;
  /** What the server said that no form item shows (applyServerErrors), for an alert above the form. */
  error: string | undefined;
  /** Validate the form, then run `action` with its values; resolves true once it succeeded. */
  submit: (action: (values: V) => Promise<unknown>) => Promise<boolean>;
}

/**
 * The submit of a dialog's form: nothing happens while a field is invalid; `busy` while the request runs; a failure puts
 * the server's field issues on the form items named in `fields` (the values typed stay) and the rest in `error`.
 */
export function useFormSubmit<V>(form: FormInstance<V>, fields: readonly string[]): FormSubmit<V> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>(undefined);
  async function submit(action: (values: V) => Promise<unknown>): Promise<boolean> {
    let values: V;
    try {
      values = await form.validateFields();
    } catch {
      return false;
    }
    setBusy(true);
    setError(undefined);
    try {
      await action(values);
      return true;
    } catch (e) {
      setError(applyServerErrors(form, e, fields));
      return false;
    } finally {
      setBusy(false);
    }
  }
  return { busy, error, submit };
}
