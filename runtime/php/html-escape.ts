/**
 * PHP's htmlspecialchars() with its 8.1+ defaults (ENT_QUOTES): the one escape for every page and
 * message tsfpm writes as HTML or XML.
 * @module
 */
export const htmlspecialchars = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#039;');
