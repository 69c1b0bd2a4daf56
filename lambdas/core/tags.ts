export { tagSlug } from './feeds';
