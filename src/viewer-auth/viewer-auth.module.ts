import { Global, Module } from '@nestjs/common';
import { ViewerAuthController } from './viewer-auth.controller';
import { ViewerAuthService } from './viewer-auth.service';

/** Who may watch when STREAM_AUTH is on: Basic credentials or signed stream tokens. */
@Global()
@Module({
  controllers: [ViewerAuthController],
  providers: [ViewerAuthService],
  exports: [ViewerAuthService],
})
export class ViewerAuthModule {}
