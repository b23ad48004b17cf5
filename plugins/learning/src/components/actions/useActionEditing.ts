import { useCallback, useState } from 'react';
import { useApi, alertApiRef } from '@backstage/core-plugin-api';
import { ResponseError } from '@backstage/errors';
import type {
  ActionItem,
  UpdateActionInput,
} from '@learning-loop/plugin-learning-common';
import { learningApiRef } from '../../api';
import { problemMessage } from '../shared/problem';

/** Fields a person edits on an action. */
export type ActionPatch = Omit<Partial<UpdateActionInput>, 'version'>;

/** A stale edit: what the user wanted, and the record as someone else left it. */
export interface EditConflict {
  mine: ActionItem;
  patch: ActionPatch;
  current: ActionItem;
}

/**
 * Saves edits to actions with the version they were based on. A 409 becomes a conflict the user resolves
 * (re-apply on top of the current record, or keep theirs); nothing is overwritten silently.
 */
export function useActionEditing(onSaved: (action: ActionItem) => void) {
  const api = useApi(learningApiRef);
  const alertApi = useApi(alertApiRef);
  const [conflict, setConflict] = useState<EditConflict | undefined>();
  const [saving, setSaving] = useState<string | undefined>();

  const save = useCallback(
    async (action: ActionItem, patch: ActionPatch) => {
      setSaving(action.id);
      try {
        const saved = await api.updateAction(action.id, {
          ...patch,
          version: action.version,
        });
        onSaved(saved);
        return saved;
      } catch (error) {
        const current =
          error instanceof ResponseError
            ? (error.body as { current?: ActionItem }).current
            : undefined;
        if (
          error instanceof ResponseError &&
          error.statusCode === 409 &&
          current
        ) {
          setConflict({ mine: action, patch, current });
        } else {
          alertApi.post({
            message: `Could not save "${action.title}": ${problemMessage(
              error,
            )}`,
            severity: 'error',
          });
        }
        return undefined;
      } finally {
        setSaving(undefined);
      }
    },
    [api, alertApi, onSaved],
  );

  const reapply = useCallback(async () => {
    if (!conflict) return;
    setConflict(undefined);
    await save(conflict.current, conflict.patch);
  }, [conflict, save]);

  const keepTheirs = useCallback(() => {
    if (!conflict) return;
    onSaved(conflict.current);
    setConflict(undefined);
  }, [conflict, onSaved]);

  return { save, saving, conflict, reapply, keepTheirs };
}

/** The fields where `current` differs from what the user last saw. */
export function changedFields(
  seen: ActionItem,
  current: ActionItem,
): Array<{ field: string; from: unknown; to: unknown }> {
  const fields: Array<keyof ActionItem> = [
    'title',
    'description',
    'status',
    'statusReason',
    'priority',
    'owner',
    'dueDate',
    'trackerUrl',
    'type',
    'category',
  ];
  return fields
    .filter(
      f =>
        JSON.stringify(seen[f] ?? null) !== JSON.stringify(current[f] ?? null),
    )
    .map(f => ({ field: f, from: seen[f], to: current[f] }));
}
