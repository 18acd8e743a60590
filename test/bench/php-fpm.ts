/**
 * nginx + PHP-FPM 8.2 for the side-by-side figures (test/support/php-fpm.ts: pm=static with 5 children,
 * Debian's php.ini, its own temporary folder). Two pools: `files` (session.save_handler=files in its own
 * folder) and `redis` (phpredis with its session lock on), each behind its own nginx port. Undefined when
 * php-fpm8.2 or nginx is missing.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { phpFpmHasModule, phpFpmMissing, startPhpFpm as startFpm } from '../support/php-fpm.ts';

export interface PhpFpm {
  /** nginx port whose pool keeps sessions in files. */
  readonly filesPort: number;
  /** nginx port whose pool keeps sessions in Redis through phpredis, locking enabled; 0 without phpredis. */
  readonly redisPort: number;
  stop(): Promise<void>;
}

/** The same scripts as the TypeScript ones, in PHP. */
const PHP_SCRIPTS: Record<string, string> = {
  'hello.php': `<?php echo 'Hello, world';`,
  'counter.php': `<?php session_start(); $_SESSION['n'] = ($_SESSION['n'] ?? 0) + 1; echo $_SESSION['n'];`,
};

/** Starts PHP-FPM with both pools and nginx in front; `redisPort` is the Redis server the redis pool uses. */
export async function startPhpFpm(redisPort: number): Promise<PhpFpm | undefined> {
  if (phpFpmMissing()) return undefined;
  const hasPhpRedis = phpFpmHasModule('redis');
  const fpm = await startFpm((dir) => {
    for (const [name, script] of Object.entries(PHP_SCRIPTS)) writeFileSync(join(dir, name), script);
    mkdirSync(join(dir, 'sessions'));
    return {
      pools: [
        { name: 'files', lines: [`php_value[session.save_path] = ${dir}/sessions`] },
        ...(hasPhpRedis
          ? [{ name: 'redis', lines: ['php_value[session.save_handler] = redis', `php_value[session.save_path] = "tcp://127.0.0.1:${redisPort}?prefix=phpbench:"`, 'php_value[redis.session.locking_enabled] = 1'] }]
          : []),
      ],
      sites: [{ pool: 'files', root: dir }, ...(hasPhpRedis ? [{ pool: 'redis', root: dir }] : [])],
    };
  });
  return { filesPort: fpm.ports[0]!, redisPort: fpm.ports[1] ?? 0, stop: fpm.stop };
}
