// The site's own pages: the landing page at `/` and the stylesheet every
// notice and the landing page use.
import express, { type Router } from 'express';
import { landingHtml, type LandingOptions } from './landing-page.js';
import { SITE_CSS } from './site-css.js';

export function siteRouter(o: LandingOptions): Router {
  const router = express.Router();
  const landing = landingHtml(o);
  router.get('/', (_req, res) => void res.type('html').send(landing));
  router.get('/site.css', (_req, res) => void res.type('css').send(SITE_CSS));
  return router;
}
