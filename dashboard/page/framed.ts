export type Theme = 'default' | 'dark' | 'contrast';

/** Teams hosts a tab in a frame; a page that is its own top window is open in a plain browser. */
export function framed(): boolean {
  try {
    return window.self !== window.top;
  } catch {
    return true;
  }
}
