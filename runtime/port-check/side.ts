/** The two sides port-check compares: the PHP original and the TypeScript port. */
export type Side = 'php' | 'ts';
