import { Kind, parse, type ConstArgumentNode } from 'graphql';

export interface SubgraphEndpoint {
  name: string;
  url: string;
}

function stringArgument(args: readonly ConstArgumentNode[] | undefined, name: string): string | undefined {
  const value = args?.find((arg) => arg.name.value === name)?.value;
  return value?.kind === Kind.STRING ? value.value : undefined;
}

/** The subgraphs a supergraph names (its `join__Graph` enum), with any URL overrides applied. */
export function subgraphsOf(supergraphSdl: string, overrides: Record<string, string>): SubgraphEndpoint[] {
  const document = parse(supergraphSdl);
  const graphs = document.definitions.find(
    (definition) => definition.kind === Kind.ENUM_TYPE_DEFINITION && definition.name.value === 'join__Graph',
  );
  if (graphs?.kind !== Kind.ENUM_TYPE_DEFINITION) throw new Error('the supergraph has no join__Graph enum');
  return (graphs.values ?? []).map((value) => {
    const directive = value.directives?.find((d) => d.name.value === 'join__graph');
    const name = stringArgument(directive?.arguments, 'name') ?? value.name.value.toLowerCase();
    const url = overrides[name] ?? stringArgument(directive?.arguments, 'url');
    if (!url) throw new Error(`subgraph ${name} has no URL in the supergraph and no override`);
    return { name, url };
  });
}

/** `/health/ready` beside a subgraph's `/graphql` endpoint. */
export function readinessUrlOf(graphqlUrl: string): string {
  return new URL('/health/ready', graphqlUrl).toString();
}
