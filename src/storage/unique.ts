import { Prisma } from './prisma/client.js';

/** A concurrent insert of the same unique key won: read the winner's row instead. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}
