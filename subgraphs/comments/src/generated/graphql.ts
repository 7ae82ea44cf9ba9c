import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { Comment as CommentModel } from './prisma/client.js';
import type { CommentPage as CommentPageModel } from '../comments/recipeComments.js';
import type { CommentsContext } from '../graphql/context.js';
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
  _FieldSet: { input: string; output: string; }
};

/** The comment's author is the signed-in user. */
export type AddCommentInput = {
  recipeId: Scalars['ID']['input'];
  text: Scalars['String']['input'];
};

/** A comment on a recipe. Owned by the comments service. */
export type Comment = {
  __typename?: 'Comment';
  /** Who wrote it; only they or a moderator may delete it. */
  author: User;
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  /**
   * Null with an error naming the recipes subgraph when that subgraph is down or too slow; null
   * without an error in the moment between the recipe's deletion and its comments' removal.
   */
  recipe?: Maybe<Recipe>;
  /** 1–2,000 characters. */
  text: Scalars['String']['output'];
};

/** One comment added, as a subscriber receives it. */
export type CommentAddedEvent = {
  __typename?: 'CommentAddedEvent';
  /** The comment as it is now (resolved when the event is delivered, across both subgraphs). */
  comment: Comment;
  /**
   * Opaque: the event's place in the gateway's event stream. Pass the last one you received as
   * `after` to resume without missing or repeating an event.
   */
  cursor: Scalars['String']['output'];
};

export type CommentConnection = {
  __typename?: 'CommentConnection';
  edges: Array<CommentEdge>;
  pageInfo: PageInfo;
  /** How many comments the recipe has, across all pages. */
  totalCount: Scalars['Int']['output'];
};

export type CommentEdge = {
  __typename?: 'CommentEdge';
  /** Opaque; pass it as `after` to continue after this comment. */
  cursor: Scalars['String']['output'];
  node: Comment;
};

/** Every mutation needs a signed-in user (UNAUTHENTICATED otherwise). */
export type Mutation = {
  __typename?: 'Mutation';
  addComment: Comment;
  /** Returns the deleted comment's id; NOT_FOUND when it does not exist; FORBIDDEN unless the viewer is its author or a moderator. */
  deleteComment: Scalars['ID']['output'];
};


/** Every mutation needs a signed-in user (UNAUTHENTICATED otherwise). */
export type MutationAddCommentArgs = {
  input: AddCommentInput;
};


/** Every mutation needs a signed-in user (UNAUTHENTICATED otherwise). */
export type MutationDeleteCommentArgs = {
  id: Scalars['ID']['input'];
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor?: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Query = {
  __typename?: 'Query';
  /** One comment by id; null when there is none. */
  comment?: Maybe<Comment>;
};


export type QueryCommentArgs = {
  id: Scalars['ID']['input'];
};

/** A recipe, as the comments service knows it: its comments. */
export type Recipe = {
  __typename?: 'Recipe';
  /**
   * Newest first. `first` is 1–100. Null, with an error naming the comments subgraph, only when
   * that subgraph is down or too slow: the recipe's own fields still come back.
   */
  comments?: Maybe<CommentConnection>;
  id: Scalars['ID']['output'];
};


/** A recipe, as the comments service knows it: its comments. */
export type RecipeCommentsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/**
 * Live events through the gateway (WebSocket with graphql-transport-ws, or Server-Sent Events
 * for a POST with `Accept: text/event-stream`). See docs/subscriptions.md.
 */
export type Subscription = {
  __typename?: 'Subscription';
  /**
   * Every comment added to the recipe from now on, in order; with `after` (a cursor from an
   * earlier event), every one added since that event first. CURSOR_EXPIRED when the events after
   * it are no longer kept.
   */
  commentAdded: CommentAddedEvent;
};


/**
 * Live events through the gateway (WebSocket with graphql-transport-ws, or Server-Sent Events
 * for a POST with `Accept: text/event-stream`). See docs/subscriptions.md.
 */
export type SubscriptionCommentAddedArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  recipeId: Scalars['ID']['input'];
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
  Comment: Comment;
  Recipe: Recipe;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Comment:
    ( { __typename: 'Comment' }
    & GraphQLRecursivePick<FederationTypes['Comment'], {"id":true}> );
  Recipe:
    ( { __typename: 'Recipe' }
    & GraphQLRecursivePick<FederationTypes['Recipe'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AddCommentInput: AddCommentInput;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  Comment: ResolverTypeWrapper<CommentModel>;
  CommentAddedEvent: ResolverTypeWrapper<Omit<CommentAddedEvent, 'comment'> & { comment: ResolversTypes['Comment'] }>;
  CommentConnection: ResolverTypeWrapper<CommentPageModel>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  CommentEdge: ResolverTypeWrapper<Omit<CommentEdge, 'node'> & { node: ResolversTypes['Comment'] }>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Recipe: ResolverTypeWrapper<{ __typename?: 'Recipe'; id: string }>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  User: ResolverTypeWrapper<User>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AddCommentInput: AddCommentInput;
  ID: Scalars['ID']['output'];
  String: Scalars['String']['output'];
  Comment: CommentModel;
  CommentAddedEvent: Omit<CommentAddedEvent, 'comment'> & { comment: ResolversParentTypes['Comment'] };
  CommentConnection: CommentPageModel;
  Int: Scalars['Int']['output'];
  CommentEdge: Omit<CommentEdge, 'node'> & { node: ResolversParentTypes['Comment'] };
  DateTime: Scalars['DateTime']['output'];
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Boolean: Scalars['Boolean']['output'];
  Query: Record<PropertyKey, never>;
  Recipe: { __typename?: 'Recipe'; id: string };
  Subscription: Record<PropertyKey, never>;
  User: User;
};

export type CommentResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['Comment'] = ResolversParentTypes['Comment'], FederationReferenceType extends FederationReferenceTypes['Comment'] = FederationReferenceTypes['Comment']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Comment']> | FederationReferenceType, FederationReferenceType, ContextType>;
  author?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  recipe?: Resolver<Maybe<ResolversTypes['Recipe']>, ParentType, ContextType>;
  text?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CommentAddedEventResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['CommentAddedEvent'] = ResolversParentTypes['CommentAddedEvent']> = {
  comment?: Resolver<ResolversTypes['Comment'], ParentType, ContextType>;
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type CommentConnectionResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['CommentConnection'] = ResolversParentTypes['CommentConnection']> = {
  edges?: Resolver<Array<ResolversTypes['CommentEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type CommentEdgeResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['CommentEdge'] = ResolversParentTypes['CommentEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Comment'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type MutationResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  addComment?: Resolver<ResolversTypes['Comment'], ParentType, ContextType, RequireFields<MutationAddCommentArgs, 'input'>>;
  deleteComment?: Resolver<ResolversTypes['ID'], ParentType, ContextType, RequireFields<MutationDeleteCommentArgs, 'id'>>;
};

export type PageInfoResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  comment?: Resolver<Maybe<ResolversTypes['Comment']>, ParentType, ContextType, RequireFields<QueryCommentArgs, 'id'>>;
};

export type RecipeResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['Recipe'] = ResolversParentTypes['Recipe'], FederationReferenceType extends FederationReferenceTypes['Recipe'] = FederationReferenceTypes['Recipe']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Recipe']> | FederationReferenceType, FederationReferenceType, ContextType>;
  comments?: Resolver<Maybe<ResolversTypes['CommentConnection']>, ParentType, ContextType, RequireFields<RecipeCommentsArgs, 'first'>>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  commentAdded?: SubscriptionResolver<ResolversTypes['CommentAddedEvent'], "commentAdded", ParentType, ContextType, RequireFields<SubscriptionCommentAddedArgs, 'recipeId'>>;
};

export type UserResolvers<ContextType = CommentsContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User']> = {
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type Resolvers<ContextType = CommentsContext> = {
  Comment?: CommentResolvers<ContextType>;
  CommentAddedEvent?: CommentAddedEventResolvers<ContextType>;
  CommentConnection?: CommentConnectionResolvers<ContextType>;
  CommentEdge?: CommentEdgeResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Recipe?: RecipeResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

