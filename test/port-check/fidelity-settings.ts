/**
 * The settings both sides of the fidelity runs get (fidelity.test.ts with php -S, fpm.ts with PHP-FPM):
 * expose_php=0, because headers_list() would show X-Powered-By's value, which names each server; and a mail
 * delivery program that accepts every message and sends none.
 */
export const FIDELITY_DEFINES: readonly string[] = ['expose_php=0', 'sendmail_path=/bin/true'];
