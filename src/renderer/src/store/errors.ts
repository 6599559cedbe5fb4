/** Turns whatever a call threw into words for the user. */
import { isAppError, type AppError } from '../../../shared/app-api.ts';

export function isInvalidArgument(error: unknown): error is Pick<AppError, 'name' | 'code' | 'message'> {
  return isAppError(error) && error.code === 'invalid_argument';
}

export function isNotFound(error: unknown): boolean {
  return isAppError(error) && error.code === 'not_found';
}

export function errorMessage(error: unknown): string {
  if (isAppError(error)) {
    switch (error.code) {
      case 'not_found':
        return 'That item no longer exists: it may have been deleted on another device.';
      case 'forbidden':
        return 'This window is not allowed to use the app. Restart the app.';
      case 'internal':
        // Details stay in the main process log; the message may still help.
        return error.message ? `Something went wrong: ${error.message}` : 'Something went wrong.';
      default:
        return error.message;
    }
  }
  return 'Something went wrong. Please try again.';
}
