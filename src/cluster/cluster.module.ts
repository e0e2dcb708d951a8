import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { CamerasModule } from '../cameras/cameras.module';
import { MetricsModule } from '../metrics/metrics.module';
import { CameraPublishers } from './camera-publishers.service';
import { ClusterBus } from './cluster-bus.service';
import type { ClusterConfig } from './cluster.config';
import { ClusterController } from './cluster.controller';
import { ClusterDirectory } from './cluster-directory.service';
import { ClusterService } from './cluster.service';
import { RemoteCameras } from './remote/remote-cameras.service';

/**
 * Several camfeed nodes sharing their cameras over NATS. Without NATS_URL the module is empty:
 * nothing of the cluster is made, connected or served, and camfeed is a server of its own
 * cameras, as ever. Global when loaded, so monitoring can report on it.
 */
@Global()
@Module({})
export class ClusterModule {
  static register(config: ClusterConfig): DynamicModule {
    if (!config.enabled) return { module: ClusterModule };
    return {
      module: ClusterModule,
      imports: [CamerasModule, MetricsModule, TerminusModule],
      controllers: [ClusterController],
      providers: [ClusterBus, ClusterDirectory, CameraPublishers, RemoteCameras, ClusterService],
      exports: [ClusterService],
    };
  }
}
