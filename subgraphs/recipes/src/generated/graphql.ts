import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Recipe as RecipeModel } from './prisma/client.js';
import type { RecipePage as RecipePageModel } from '../recipes/listRecipes.js';
import type { RecipesContext } from '../graphql/context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type Omit<T, K extends keyof T> = Pick<T, Exclude<keyof T, K>>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 timestamp, e.g. "2026-01-31T12:00:00.000Z". */
  DateTime: { input: Date; output: Date | string; }
  /** A decimal number with two places, returned as a string ("45.00"); accepted as a string or a number. */
  Decimal: { input: string; output: string | number | { toFixed(places: number): string }; }
  _FieldSet: { input: string; output: string; }
};

export type CreateRecipeInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  ingredients?: InputMaybe<Array<Scalars['String']['input']>>;
  price: Scalars['Decimal']['input'];
  timeMinutes: Scalars['Int']['input'];
  title: Scalars['String']['input'];
};

/** Every mutation needs a signed-in user (UNAUTHENTICATED otherwise). */
export type Mutation = {
  __typename?: 'Mutation';
  /** The signed-in user becomes the recipe's author. */
  createRecipe: Recipe;
  /** Returns the deleted recipe's id; NOT_FOUND when it does not exist; FORBIDDEN unless the viewer is its author or a moderator. */
  deleteRecipe: Scalars['ID']['output'];
  /** NOT_FOUND when the recipe does not exist; FORBIDDEN unless the viewer is its author or a moderator. */
  updateRecipe: Recipe;
};


/** Every mutation needs a signed-in user (UNAUTHENTICATED otherwise). */
export type MutationCreateRecipeArgs = {
  input: CreateRecipeInput;
};


/** Every mutation needs a signed-in user (UNAUTHENTICATED otherwise). */
export type MutationDeleteRecipeArgs = {
  id: Scalars['ID']['input'];
};


/** Every mutation needs a signed-in user (UNAUTHENTICATED otherwise). */
export type MutationUpdateRecipeArgs = {
  id: Scalars['ID']['input'];
  input: UpdateRecipeInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** One recipe by id; null when there is none. */
  recipe?: Maybe<Recipe>;
  /** A page of recipes. `first` is 1–100. */
  recipes: RecipeConnection;
  /** The signed-in user; null when the request has no token. */
  viewer?: Maybe<User>;
};


export type QueryRecipeArgs = {
  id: Scalars['ID']['input'];
};


export type QueryRecipesArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<RecipeFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<RecipeOrder>;
};

/** A recipe. Owned by the recipes service. */
export type Recipe = {
  __typename?: 'Recipe';
  /** Who created it; only they or a moderator may change or delete it. */
  author: User;
  /** How many comments the recipe has, from the comments service's events (eventually consistent). */
  commentCount: Scalars['Int']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** Up to 5,000 characters; empty when not given. */
  description: Scalars['String']['output'];
  id: Scalars['ID']['output'];
  /** Up to 100 items of 1–200 characters each. */
  ingredients: Array<Scalars['String']['output']>;
  /** Price, 0–999,999.99. */
  price: Scalars['Decimal']['output'];
  /** Total time in minutes, 1–10,080 (one week). */
  timeMinutes: Scalars['Int']['output'];
  /** 1–200 characters. */
  title: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type RecipeConnection = {
  __typename?: 'RecipeConnection';
  edges: Array<RecipeEdge>;
  pageInfo: PageInfo;
  /** How many recipes match the filter, across all pages. */
  totalCount: Scalars['Int']['output'];
};

export type RecipeEdge = {
  __typename?: 'RecipeEdge';
  /** Opaque; pass it as `after` to continue after this recipe in the same order. */
  cursor: Scalars['String']['output'];
  node: Recipe;
};

export type RecipeFilter = {
  maxPrice?: InputMaybe<Scalars['Decimal']['input']>;
  maxTimeMinutes?: InputMaybe<Scalars['Int']['input']>;
  /** Case-insensitive substring of the title. */
  titleContains?: InputMaybe<Scalars['String']['input']>;
};

export type RecipeOrder =
  /** Lowest price first. */
  | 'CHEAPEST'
  /** Most comments first (by commentCount). */
  | 'MOST_COMMENTED'
  /** Newest first (default). */
  | 'NEWEST'
  | 'OLDEST'
  /** Shortest time first. */
  | 'QUICKEST'
  /** By title, A to Z. */
  | 'TITLE';

/** One change to a recipe, as a subscriber receives it. */
export type RecipeUpdatedEvent = {
  __typename?: 'RecipeUpdatedEvent';
  /**
   * Opaque: the event's place in the gateway's event stream. Pass the last one you received as
   * `after` to resume without missing or repeating an event.
   */
  cursor: Scalars['String']['output'];
  /** The recipe as it is now (resolved when the event is delivered, across both subgraphs). */
  recipe: Recipe;
};

/**
 * Live events through the gateway (WebSocket with graphql-transport-ws, or Server-Sent Events
 * for a POST with `Accept: text/event-stream`). See docs/subscriptions.md.
 */
export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Every change to the recipe from now on, in order; with `after` (a cursor from an earlier
   * event), every one since that event first. CURSOR_EXPIRED when the events after it are no
   * longer kept.
   */
  recipeUpdated: RecipeUpdatedEvent;
};


/**
 * Live events through the gateway (WebSocket with graphql-transport-ws, or Server-Sent Events
 * for a POST with `Accept: text/event-stream`). See docs/subscriptions.md.
 */
export type SubscriptionRecipeUpdatedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
};

/** Only the fields given change. */
export type UpdateRecipeInput = {
  description?: InputMaybe<Scalars['String']['input']>;
  ingredients?: InputMaybe<Array<Scalars['String']['input']>>;
  price?: InputMaybe<Scalars['Decimal']['input']>;
  timeMinutes?: InputMaybe<Scalars['Int']['input']>;
  title?: InputMaybe<Scalars['String']['input']>;
};

/**
 * A signed-in person, as their identity provider names them (the token's subject and name). An
 * author's name is the one they had when they wrote.
 */
export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  name: Scalars['String']['output'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = {
  Recipe: Recipe;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Recipe:
    ( { __typename: 'Recipe' }
    & GraphQLRecursivePick<FederationTypes['Recipe'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  CreateRecipeInput: CreateRecipeInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Decimal: ResolverTypeWrapper<Scalars['Decimal']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Recipe: ResolverTypeWrapper<RecipeModel>;
  RecipeConnection: ResolverTypeWrapper<RecipePageModel>;
  RecipeEdge: ResolverTypeWrapper<Omit<RecipeEdge, 'node'> & { node: ResolversTypes['Recipe'] }>;
  RecipeFilter: RecipeFilter;
  RecipeOrder: RecipeOrder;
  RecipeUpdatedEvent: ResolverTypeWrapper<Omit<RecipeUpdatedEvent, 'recipe'> & { recipe: ResolversTypes['Recipe'] }>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateRecipeInput: UpdateRecipeInput;
  User: ResolverTypeWrapper<User>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  CreateRecipeInput: CreateRecipeInput;
  String: Scalars['String']['output'];
  Int: Scalars['Int']['output'];
  DateTime: Scalars['DateTime']['output'];
  Decimal: Scalars['Decimal']['output'];
  Mutation: Record<PropertyKey, never>;
  ID: Scalars['ID']['output'];
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  Recipe: RecipeModel;
  RecipeConnection: RecipePageModel;
  RecipeEdge: Omit<RecipeEdge, 'node'> & { node: ResolversParentTypes['Recipe'] };
  RecipeFilter: RecipeFilter;
  RecipeUpdatedEvent: Omit<RecipeUpdatedEvent, 'recipe'> & { recipe: ResolversParentTypes['Recipe'] };
  Subscription: Record<PropertyKey, never>;
  UpdateRecipeInput: UpdateRecipeInput;
  User: User;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface DecimalScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['Decimal'], any> {
  name: 'Decimal';
}

export type MutationResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  createRecipe?: Resolver<ResolversTypes['Recipe'], ParentType, ContextType, RequireFields<MutationCreateRecipeArgs, 'input'>>;
  deleteRecipe?: Resolver<ResolversTypes['ID'], ParentType, ContextType, RequireFields<MutationDeleteRecipeArgs, 'id'>>;
  updateRecipe?: Resolver<ResolversTypes['Recipe'], ParentType, ContextType, RequireFields<MutationUpdateRecipeArgs, 'id' | 'input'>>;
};

export type PageInfoResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  recipe?: Resolver<Maybe<ResolversTypes['Recipe']>, ParentType, ContextType, RequireFields<QueryRecipeArgs, 'id'>>;
  recipes?: Resolver<ResolversTypes['RecipeConnection'], ParentType, ContextType, RequireFields<QueryRecipesArgs, 'first' | 'orderBy'>>;
  viewer?: Resolver<Maybe<ResolversTypes['User']>, ParentType, ContextType>;
};

export type RecipeResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['Recipe'] = ResolversParentTypes['Recipe'], FederationReferenceType extends FederationReferenceTypes['Recipe'] = FederationReferenceTypes['Recipe']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Recipe']> | FederationReferenceType, FederationReferenceType, ContextType>;
  author?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  commentCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  ingredients?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  price?: Resolver<ResolversTypes['Decimal'], ParentType, ContextType>;
  timeMinutes?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type RecipeConnectionResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['RecipeConnection'] = ResolversParentTypes['RecipeConnection']> = {
  edges?: Resolver<Array<ResolversTypes['RecipeEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type RecipeEdgeResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['RecipeEdge'] = ResolversParentTypes['RecipeEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Recipe'], ParentType, ContextType>;
};

export type RecipeUpdatedEventResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['RecipeUpdatedEvent'] = ResolversParentTypes['RecipeUpdatedEvent']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  recipe?: Resolver<ResolversTypes['Recipe'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  recipeUpdated?: SubscriptionResolver<ResolversTypes['RecipeUpdatedEvent'], "recipeUpdated", ParentType, ContextType, RequireFields<SubscriptionRecipeUpdatedArgs, 'id'>>;
};

export type UserResolvers<ContextType = RecipesContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type Resolvers<ContextType = RecipesContext> = {
  DateTime?: GraphQLScalarType;
  Decimal?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Recipe?: RecipeResolvers<ContextType>;
  RecipeConnection?: RecipeConnectionResolvers<ContextType>;
  RecipeEdge?: RecipeEdgeResolvers<ContextType>;
  RecipeUpdatedEvent?: RecipeUpdatedEventResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

