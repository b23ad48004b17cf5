import { useCallback, useEffect, useRef, useState } from 'react';
import { useApi } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  Postmortem,
  UpdatePostmortemInput,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { problemMessage } from '../shared/problem';

/** Fields the editor changes. */
export type PostmortemPatch = Omit<Partial<UpdatePostmortemInput>, 'version'>;

/** Leaves out rows still being filled in, which the server would refuse. */
export function completeRows(patch: PostmortemPatch): PostmortemPatch {
  const out = { ...patch };
  if (out.timeline)
    out.timeline = out.timeline.filter(t => t.text?.trim() && t.at);
  if (out.contributingFactors)
    out.contributingFactors = out.contributingFactors.filter(f =>
      f.category?.trim(),
    );
  if (out.decisions)
    out.decisions = out.decisions.filter(d => d.decision?.trim());
  if (out.participants)
    out.participants = out.participants.filter(p => p.entityRef);
  return out;
}

/** How long typing must pause before a draft is saved. */
export const AUTOSAVE_DELAY_MS = 1500;

/**
 * Keeps a postmortem being edited and saves pending changes shortly after typing stops, each save based on the
 * version last seen. When someone else saved meanwhile, nothing is overwritten: the conflict is exposed, and the
 * user either loads their version or applies the pending edit on top of it.
 */
export function usePostmortemAutosave(initial: Postmortem) {
  const api = useApi(learningApiRef);
  const [saved, setSaved] = useState(initial);
  const [pending, setPending] = useState<PostmortemPatch>({});
  const [state, setState] = useState<
    'saved' | 'pending' | 'saving' | 'conflict' | 'error'
  >('saved');
  const [error, setError] = useState<string | undefined>();
  const [theirs, setTheirs] = useState<Postmortem | undefined>();
  const timer = useRef<ReturnType<typeof setTimeout>>();

  const save = useCallback(
    async (
      patch: PostmortemPatch,
      base: Postmortem,
    ): Promise<Postmortem | undefined> => {
      if (Object.keys(patch).length === 0) return base;
      setState('saving');
      try {
        const next = await api.updatePostmortem(base.id, {
          ...completeRows(patch),
          version: base.version,
        });
        setSaved(next);
        setPending(p =>
          Object.fromEntries(
            Object.entries(p).filter(([k, v]) => (patch as any)[k] !== v),
          ),
        );
        setState('saved');
        setError(undefined);
        return next;
      } catch (e) {
        const current =
          e instanceof ResponseError
            ? (e.body as { current?: Postmortem }).current
            : undefined;
        if (e instanceof ResponseError && e.statusCode === 409 && current) {
          setTheirs(current);
          setState('conflict');
        } else {
          setError(problemMessage(e));
          setState('error');
        }
        return undefined;
      }
    },
    [api],
  );

  const edit = useCallback((patch: PostmortemPatch) => {
    setPending(p => ({ ...p, ...patch }));
    setState(s => (s === 'conflict' ? s : 'pending'));
  }, []);

  useEffect(() => {
    if (state !== 'pending') return undefined;
    clearTimeout(timer.current);
    timer.current = setTimeout(() => save(pending, saved), AUTOSAVE_DELAY_MS);
    return () => clearTimeout(timer.current);
  }, [pending, saved, state, save]);

  /** Saves pending edits now, then applies a workflow move or other explicit change. */
  const commit = useCallback(
    async (patch: PostmortemPatch) => {
      clearTimeout(timer.current);
      return save({ ...pending, ...patch }, saved);
    },
    [pending, saved, save],
  );

  const loadTheirs = useCallback(() => {
    if (!theirs) return;
    setSaved(theirs);
    setPending({});
    setTheirs(undefined);
    setState('saved');
  }, [theirs]);

  const applyMineOnTop = useCallback(async () => {
    if (!theirs) return;
    const base = theirs;
    setTheirs(undefined);
    await save(pending, base);
  }, [theirs, pending, save]);

  /** The postmortem as the user sees it: saved content with pending edits on top. */
  const current = { ...saved, ...pending } as Postmortem;
  return {
    current,
    saved,
    state,
    error,
    theirs,
    edit,
    commit,
    loadTheirs,
    applyMineOnTop,
  };
}
