import { Global, Module } from '@nestjs/common';
import { SettingsStore } from './settings-store.service';

/** Settings that survive restarts, shared by the camera and the IR LEDs. */
@Global()
@Module({ providers: [SettingsStore], exports: [SettingsStore] })
export class PersistenceModule {}
