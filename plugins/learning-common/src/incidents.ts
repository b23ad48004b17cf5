import type { IncidentStatus } from './vocabulary';

/** An incident is resolved once it has a resolved time, mitigated once it has a mitigated time, else open. */
export function incidentStatus(incident: {
  mitigatedAt?: string | null;
  resolvedAt?: string | null;
}): IncidentStatus {
  if (incident.resolvedAt) {
    return 'resolved';
  }
  return incident.mitigatedAt ? 'mitigated' : 'open';
}

/** Checks that an incident's milestones do not go back in time; returns the first problem found. */
export function incidentTimelineProblem(incident: {
  startedAt: string;
  detectedAt?: string | null;
  acknowledgedAt?: string | null;
  mitigatedAt?: string | null;
  resolvedAt?: string | null;
}): string | undefined {
  const order: Array<keyof typeof incident> = [
    'detectedAt',
    'acknowledgedAt',
    'mitigatedAt',
    'resolvedAt',
  ];
  for (const field of order) {
    const value = incident[field];
    if (value && value < incident.startedAt) {
      return `${field} must not be before startedAt`;
    }
  }
  if (
    incident.mitigatedAt &&
    incident.resolvedAt &&
    incident.resolvedAt < incident.mitigatedAt
  ) {
    return 'resolvedAt must not be before mitigatedAt';
  }
  return undefined;
}
