// Path parameters and response wrappers shared by the route modules.
import { z } from 'zod';
import { ErrorSchema, ResourceName, TenantId } from '../schemas/index.ts';

export const TenantParams = z.strictObject({ tenantId: TenantId });
export const PipelineParams = TenantParams.extend({ pipeline: ResourceName });
export const FunctionParams = TenantParams.extend({ functionName: ResourceName });
export const DeploymentParams = PipelineParams.extend({ functionName: ResourceName });

export const listOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item) });

/** Every route may answer with the one error shape. */
export const errors = { '4xx': ErrorSchema, '5xx': ErrorSchema };

export const security = [{ bearer: [] }];
