/** The fixed catalogue and name pools behind seedDemoShop (seed.ts). */

export const COLLECTIONS = ["Trail & Outdoor", "Home & Kitchen", "Everyday Apparel"] as const;

export const PRODUCTS: readonly {
  title: string;
  vendor: string;
  type: string;
  collections: readonly number[];
  price: number;
  option?: { name: string; values: readonly string[]; step?: number };
}[] = [
  {
    title: "Merino Trail Socks",
    vendor: "Northwind Goods",
    type: "Apparel",
    collections: [0, 2],
    price: 1800,
    option: { name: "Size", values: ["S", "M", "L"] },
  },
  {
    title: "Waxed Canvas Daypack",
    vendor: "Harbor Lane",
    type: "Accessories",
    collections: [0],
    price: 8900,
    option: { name: "Color", values: ["Olive", "Navy"] },
  },
  {
    title: "Enamel Camp Mug",
    vendor: "Copperleaf Co.",
    type: "Kitchen",
    collections: [0, 1],
    price: 1600,
    option: { name: "Color", values: ["Cream", "Forest", "Slate"] },
  },
  { title: "Cast Iron Skillet", vendor: "Copperleaf Co.", type: "Kitchen", collections: [1], price: 4500 },
  {
    title: "Linen Tea Towel Set",
    vendor: "Maple & Moss",
    type: "Home",
    collections: [1],
    price: 2400,
    option: { name: "Color", values: ["Flax", "Sage"] },
  },
  {
    title: "Organic Cotton Tee",
    vendor: "Maple & Moss",
    type: "Apparel",
    collections: [2],
    price: 3200,
    option: { name: "Size", values: ["S", "M", "L"], step: 200 },
  },
  {
    title: "Packable Rain Shell",
    vendor: "Northwind Goods",
    type: "Apparel",
    collections: [0, 2],
    price: 12900,
    option: { name: "Size", values: ["M", "L"] },
  },
  { title: "Beeswax Food Wraps", vendor: "Maple & Moss", type: "Home", collections: [1], price: 1900 },
  {
    title: "Insulated Water Bottle",
    vendor: "Harbor Lane",
    type: "Accessories",
    collections: [0],
    price: 3400,
    option: { name: "Size", values: ["500 ml", "750 ml"], step: 400 },
  },
  {
    title: "Wool Beanie",
    vendor: "Northwind Goods",
    type: "Accessories",
    collections: [2],
    price: 2800,
    option: { name: "Color", values: ["Charcoal", "Rust", "Oat"] },
  },
  { title: "Ceramic Pour-Over Set", vendor: "Copperleaf Co.", type: "Kitchen", collections: [1], price: 5800 },
  {
    title: "Canvas Work Apron",
    vendor: "Harbor Lane",
    type: "Apparel",
    collections: [1, 2],
    price: 4200,
    option: { name: "Color", values: ["Tan", "Black"] },
  },
];

export const FIRST_NAMES = [
  "Ava",
  "Liam",
  "Noah",
  "Mia",
  "Olivia",
  "Ethan",
  "Zoe",
  "Lucas",
  "Chloe",
  "Mateo",
  "Aria",
  "Owen",
  "Nora",
  "Leo",
  "Maya",
  "Elijah",
  "Ivy",
  "Kai",
  "Ruby",
  "Jonah",
  "Hana",
  "Felix",
  "Sofia",
  "Theo",
  "Amara",
  "Rowan",
  "Priya",
  "Diego",
  "Esme",
  "Sam",
];
export const LAST_NAMES = [
  "Tremblay",
  "Nguyen",
  "Okafor",
  "Schmidt",
  "Rossi",
  "Patel",
  "Kowalski",
  "Garcia",
  "Haddad",
  "Lindqvist",
  "Murphy",
  "Tanaka",
  "Dubois",
  "Silva",
  "Novak",
  "Ahmed",
  "Fraser",
  "Moreau",
  "Kim",
  "Osei",
];
export const TAGS = ["vip", "newsletter", "wholesale", "returning", "local", "birthday-club"];
