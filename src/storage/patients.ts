// Patients are found by a keyed hash of issuer and identifier; the identifier
// and every other identifying field are sealed under the patient's own data
// key, so the database holds no readable PHI.
import { randomUUID } from 'node:crypto';
import type { AuditActor } from '../core/audit/event.js';
import { AuditAction } from '../core/audit/event.js';
import { seal, unseal } from '../crypto/seal.js';
import type { AuditLog } from './audit-log.js';
import type { DataKeys } from './data-keys.js';
import type { Database } from './database.js';
import { transaction } from './transaction.js';
import { isUniqueViolation } from './unique.js';
import type { Workspaces } from './workspaces.js';

export interface PatientDemographics {
  identifier: string;
  issuer: string;
  name?: string | undefined;
  birthDate?: string | undefined;
  sex?: string | undefined;
}

const phiAad = (patientId: string) => `loupe-patient-phi/1|${patientId}`;

export class Patients {
  constructor(
    private readonly db: Database,
    private readonly dataKeys: DataKeys,
    private readonly workspaces: Workspaces,
    private readonly audit: AuditLog,
  ) {}

  /** Returns the patient's id, creating the record on first sight. */
  async link(workspaceId: string, patient: PatientDemographics, actor: AuditActor): Promise<string> {
    try {
      return await this.findOrCreate(workspaceId, patient, actor);
    } catch (error) {
      // Two uploads for a new patient at once: the second finds the first's record.
      if (isUniqueViolation(error)) return this.findOrCreate(workspaceId, patient, actor);
      throw error;
    }
  }

  private findOrCreate(workspaceId: string, patient: PatientDemographics, actor: AuditActor): Promise<string> {
    return transaction(this.db, async (tx) => {
      const index = await this.workspaces.keyedHash(tx, workspaceId, 'patient', `${patient.issuer}\0${patient.identifier}`);
      const found = await tx.patient.findUnique({
        where: { workspaceId_identifierIndex: { workspaceId, identifierIndex: index } },
        select: { id: true },
      });
      if (found) return found.id;
      const key = await this.dataKeys.create(tx, 'patient_phi', null);
      const id = randomUUID();
      await tx.patient.create({
        data: {
          id,
          workspaceId,
          identifierIndex: index,
          phi: seal(key.key, Buffer.from(JSON.stringify(patient)), phiAad(id)),
          phiKeyId: key.id,
        },
      });
      key.key.fill(0);
      await this.audit.append(tx, {
        actor,
        action: AuditAction.PatientCreated,
        outcome: 'success',
        workspaceId,
        patientId: id,
      });
      return id;
    });
  }

  /** The id of the patient with this issuer and identifier in one workspace, found by its keyed hash (nothing is decrypted). */
  async find(workspaceId: string, issuer: string, identifier: string): Promise<string | undefined> {
    const prisma = this.db.prisma;
    const index = await this.workspaces.keyedHash(prisma, workspaceId, 'patient', `${issuer}\0${identifier}`);
    const found = await prisma.patient.findUnique({ where: { workspaceId_identifierIndex: { workspaceId, identifierIndex: index } }, select: { id: true } });
    return found?.id;
  }

  /** Decrypts a patient's demographics; the read is audited. */
  async read(patientId: string, actor: AuditActor, reason: string): Promise<PatientDemographics> {
    return transaction(this.db, async (tx) => {
      const row = await tx.patient.findUniqueOrThrow({ where: { id: patientId }, include: { phiKey: true } });
      await this.audit.append(tx, {
        actor,
        action: AuditAction.PatientRead,
        outcome: 'success',
        reason,
        workspaceId: row.workspaceId,
        patientId,
      });
      const key = this.dataKeys.unwrap(row.phiKey);
      return JSON.parse(unseal(key, row.phi, phiAad(patientId)).toString('utf8')) as PatientDemographics;
    });
  }
}
