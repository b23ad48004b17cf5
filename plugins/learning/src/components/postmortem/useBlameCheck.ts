import useAsync from 'react-use/esm/useAsync';
import {
  loadBlameCheck,
  type BlameCheck,
} from '@learning-loop/plugin-learning-common';

/**
 * The blameless check, once its language model has loaded (a chunk of its own, fetched by the screens that edit a
 * review); undefined until then.
 */
export function useBlameCheck(): BlameCheck | undefined {
  return useAsync(loadBlameCheck, []).value;
}
