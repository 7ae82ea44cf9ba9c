import type { User, Viewer } from '@potluck/identity';
import { UnauthenticatedError } from '../graphql/errors.js';

/** The viewer when someone signed in; otherwise UNAUTHENTICATED, naming what they tried to do. */
export function signedIn(viewer: Viewer, action: string): User {
  if (!viewer) throw new UnauthenticatedError(action);
  return viewer;
}
