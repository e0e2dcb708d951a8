import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The page, read once: it is small and never changes while the server runs. */
const INDEX_HTML = readFileSync(join(__dirname, 'public', 'index.html'), 'utf8');

@Controller()
@ApiExcludeController()
export class WebController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  index(): string {
    return INDEX_HTML;
  }
}
