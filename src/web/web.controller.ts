import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ViewerAuthConfig } from '../auth/auth.config';

/** The page, read once: it is small and never changes while the server runs. */
const INDEX_HTML = readFileSync(join(__dirname, 'public', 'index.html'), 'utf8');

@Controller()
@ApiExcludeController()
export class WebController {
  private readonly page: string;

  /** The page is told whether streams need a token, so it never asks for one in vain. */
  constructor(viewerAuth: ViewerAuthConfig) {
    this.page = INDEX_HTML.replace(
      '<html lang="en">',
      `<html lang="en" data-stream-auth="${viewerAuth.enabled}">`,
    );
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  index(): string {
    return this.page;
  }
}
