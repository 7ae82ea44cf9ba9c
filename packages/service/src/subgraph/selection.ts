import { Kind, type GraphQLResolveInfo, type SelectionNode, type SelectionSetNode } from 'graphql';

/*
 * Written here rather than calling graphql-js's `collectSubfields`: that one is internal to
 * graphql-js and checks types with `instanceof`, which fails when tests load the ESM build of
 * graphql next to Apollo's CommonJS one. This walk only reads the operation's syntax tree.
 */

function isIncluded(selection: SelectionNode, variables: GraphQLResolveInfo['variableValues']): boolean {
  for (const directive of selection.directives ?? []) {
    const name = directive.name.value;
    if (name !== 'skip' && name !== 'include') continue;
    const condition = directive.arguments?.find((argument) => argument.name.value === 'if')?.value;
    const value =
      condition?.kind === Kind.VARIABLE
        ? variables[condition.name.value]
        : condition?.kind === Kind.BOOLEAN && condition.value;
    if ((name === 'skip') === (value === true)) return false;
  }
  return true;
}

function selectsIn(selectionSet: SelectionSetNode | undefined, field: string, info: GraphQLResolveInfo): boolean {
  return (selectionSet?.selections ?? []).some((selection) => {
    if (!isIncluded(selection, info.variableValues)) return false;
    switch (selection.kind) {
      case Kind.FIELD:
        return selection.name.value === field;
      case Kind.INLINE_FRAGMENT:
        return selectsIn(selection.selectionSet, field, info);
      case Kind.FRAGMENT_SPREAD:
        return selectsIn(info.fragments[selection.name.value]?.selectionSet, field, info);
    }
  });
}

/**
 * Whether the operation asks for `field` on the object this resolver returns: directly, under an
 * alias or through fragments, minus `@skip`/`@include`. Fragment type conditions are not checked,
 * so on a union or interface it may answer true for a type that was not asked; use it to skip
 * work nobody asked for, never to decide what a field returns.
 */
export function selectsField(info: GraphQLResolveInfo, field: string): boolean {
  return info.fieldNodes.some((node) => selectsIn(node.selectionSet, field, info));
}
