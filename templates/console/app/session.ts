/**
 * The signed-in editor's token, kept in `sessionStorage`: it lasts as long as the tab, is never written to a URL
 * or a log, and signing out (or a 401) removes it.
 */
const TOKEN_KEY = 'dispatch.console.token';

export function storedToken(): string | undefined {
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

export function keepToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}
