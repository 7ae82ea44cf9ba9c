import type { DEMO_USERS } from '@potluck/identity';

/** One of the demo users (ana, joe, mo the moderator): `npm run seed` signs in as them. */
export type SeedUser = (typeof DEMO_USERS)[number]['user'];

export interface SeedComment {
  author: SeedUser;
  text: string;
}

/** `CreateRecipeInput` plus who creates it and the comments to add to it, oldest first. */
export interface SeedRecipe {
  author: SeedUser;
  title: string;
  description: string;
  ingredients: string[];
  timeMinutes: number;
  price: string;
  comments: SeedComment[];
}

/**
 * The demo data of `npm run seed`: enough to page, filter, sort and see comments in one request.
 * Ana and Joe take turns at the recipes; all three demo users comment, Mo the moderator too.
 */
export const SEED_RECIPES: SeedRecipe[] = [
  {
    author: 'ana',
    title: 'Shakshuka',
    description: 'Eggs poached in a spiced tomato and pepper sauce. Serve in the pan with warm bread.',
    ingredients: [
      '4 eggs',
      '400 g chopped tomatoes',
      '1 red pepper',
      '1 onion',
      '2 cloves garlic',
      '1 tsp cumin',
      '1 tsp smoked paprika',
      'feta',
    ],
    timeMinutes: 30,
    price: '8.50',
    comments: [
      { author: 'joe', text: 'Made this for a lazy Sunday brunch. A pinch of chilli flakes is a good addition.' },
      { author: 'mo', text: 'Cover the pan for the last few minutes so the whites set before the yolks go hard.' },
      { author: 'ana', text: 'Lovely with coriander on top instead of parsley.' },
    ],
  },
  {
    author: 'joe',
    title: 'Spaghetti carbonara',
    description: 'The Roman way: egg yolks, pecorino, guanciale and black pepper. No cream.',
    ingredients: [
      '400 g spaghetti',
      '150 g guanciale',
      '4 egg yolks',
      '1 whole egg',
      '60 g pecorino romano',
      'black pepper',
    ],
    timeMinutes: 25,
    price: '11.00',
    comments: [
      { author: 'mo', text: 'Take the pan off the heat before the eggs go in, or you get scrambled eggs.' },
      { author: 'ana', text: 'Pancetta works if you cannot find guanciale.' },
    ],
  },
  {
    author: 'ana',
    title: 'Chicken katsu curry',
    description: 'Crisp panko chicken with a mild, sweet Japanese curry sauce and steamed rice.',
    ingredients: [
      '2 chicken breasts',
      '100 g panko',
      '1 egg',
      'flour',
      '1 onion',
      '2 carrots',
      '2 tbsp curry powder',
      '500 ml chicken stock',
      '300 g rice',
    ],
    timeMinutes: 50,
    price: '13.20',
    comments: [
      { author: 'joe', text: 'A grated apple in the sauce makes it taste like the one from my local place.' },
      { author: 'mo', text: 'Baked the chicken instead of frying: still crunchy.' },
      { author: 'ana', text: 'My kids ask for this every week now.' },
      { author: 'joe', text: 'Blend the sauce if you like it smooth.' },
    ],
  },
  {
    author: 'joe',
    title: 'Red lentil dal',
    description: 'A weeknight dal with a tempering of cumin, mustard seeds and curry leaves.',
    ingredients: [
      '250 g red lentils',
      '1 onion',
      '3 cloves garlic',
      'thumb of ginger',
      '1 tsp turmeric',
      '1 tsp cumin seeds',
      '1 tsp mustard seeds',
      'curry leaves',
      '1 tbsp ghee',
    ],
    timeMinutes: 35,
    price: '4.80',
    comments: [
      { author: 'ana', text: 'The tempering at the end is what makes it. Do not skip it.' },
      { author: 'mo', text: 'Freezes really well.' },
    ],
  },
  {
    author: 'ana',
    title: 'Beef bourguignon',
    description: 'Beef braised slowly in red wine with bacon, mushrooms and small onions.',
    ingredients: [
      '1.2 kg beef chuck',
      '750 ml red wine',
      '200 g smoked bacon',
      '250 g mushrooms',
      '12 pearl onions',
      '2 carrots',
      'thyme',
      'bay leaf',
      '2 tbsp tomato paste',
    ],
    timeMinutes: 210,
    price: '32.00',
    comments: [
      { author: 'joe', text: 'Even better the next day.' },
      { author: 'mo', text: 'Used a Côtes du Rhône and it was great.' },
      { author: 'ana', text: 'Brown the meat in small batches, it is worth the time.' },
    ],
  },
  {
    author: 'joe',
    title: 'Overnight oats',
    description: 'Oats soaked overnight in milk and yoghurt; top with fruit in the morning.',
    ingredients: ['50 g rolled oats', '100 ml milk', '2 tbsp yoghurt', '1 tsp chia seeds', 'honey', 'berries'],
    timeMinutes: 5,
    price: '1.90',
    comments: [{ author: 'ana', text: 'Peanut butter and banana is my favourite topping.' }],
  },
  {
    author: 'ana',
    title: 'Pad thai',
    description: 'Rice noodles stir-fried with tamarind, fish sauce, egg, tofu and peanuts.',
    ingredients: [
      '200 g flat rice noodles',
      '2 tbsp tamarind paste',
      '2 tbsp fish sauce',
      '1 tbsp palm sugar',
      '2 eggs',
      '150 g firm tofu',
      'bean sprouts',
      'spring onions',
      'roasted peanuts',
      'lime',
    ],
    timeMinutes: 30,
    price: '9.40',
    comments: [
      { author: 'mo', text: 'Soak the noodles in warm water, not hot, or they go mushy in the wok.' },
      { author: 'joe', text: 'Added prawns, worked well.' },
    ],
  },
  {
    author: 'joe',
    title: 'Mushroom risotto',
    description: 'Creamy arborio rice with porcini and chestnut mushrooms, finished with butter and parmesan.',
    ingredients: [
      '300 g arborio rice',
      '20 g dried porcini',
      '300 g chestnut mushrooms',
      '1 shallot',
      '150 ml white wine',
      '1 l vegetable stock',
      '50 g butter',
      '60 g parmesan',
    ],
    timeMinutes: 45,
    price: '10.60',
    comments: [
      { author: 'ana', text: 'Use the porcini soaking water in the stock.' },
      { author: 'mo', text: 'Needed a bit more stock than the recipe says.' },
      { author: 'joe', text: 'Let it rest two minutes with the lid on before serving.' },
    ],
  },
  {
    author: 'ana',
    title: 'Fish tacos',
    description: 'Beer-battered white fish in corn tortillas with pickled red onion and lime crema.',
    ingredients: [
      '400 g cod',
      '150 g flour',
      '200 ml cold beer',
      '8 corn tortillas',
      '1 red onion',
      'lime',
      'sour cream',
      'red cabbage',
      'coriander',
    ],
    timeMinutes: 40,
    price: '14.75',
    comments: [{ author: 'joe', text: 'Pickle the onion first thing: 20 minutes is enough.' }],
  },
  {
    author: 'joe',
    title: 'Lemon drizzle cake',
    description: 'A light loaf cake soaked with lemon syrup while still warm.',
    ingredients: [
      '225 g butter',
      '225 g caster sugar',
      '4 eggs',
      '225 g self-raising flour',
      '2 lemons',
      '85 g granulated sugar',
    ],
    timeMinutes: 60,
    price: '5.30',
    comments: [
      { author: 'ana', text: 'Prick the cake all over before the drizzle goes on.' },
      { author: 'mo', text: 'Baked it in a round tin, 5 minutes less.' },
    ],
  },
  {
    author: 'ana',
    title: 'Greek salad',
    description: 'Tomatoes, cucumber, peppers, red onion, olives and a slab of feta with oregano and olive oil.',
    ingredients: [
      '4 tomatoes',
      '1 cucumber',
      '1 green pepper',
      '1 red onion',
      'kalamata olives',
      '200 g feta',
      'dried oregano',
      'olive oil',
    ],
    timeMinutes: 15,
    price: '7.20',
    comments: [],
  },
  {
    author: 'joe',
    title: 'Miso ramen',
    description: 'A rich miso broth with noodles, soft-boiled eggs, corn, spring onions and chashu pork.',
    ingredients: [
      '2 portions ramen noodles',
      '1 l chicken stock',
      '3 tbsp white miso',
      '1 tbsp sesame paste',
      '2 eggs',
      '200 g pork belly',
      'sweetcorn',
      'spring onions',
      'nori',
    ],
    timeMinutes: 90,
    price: '15.90',
    comments: [
      { author: 'ana', text: 'Marinate the eggs in soy and mirin overnight.' },
      { author: 'mo', text: 'A spoon of chilli oil on top is perfect.' },
      { author: 'joe', text: 'Took me longer than 90 minutes the first time, but worth it.' },
    ],
  },
];
