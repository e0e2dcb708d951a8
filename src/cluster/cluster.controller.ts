import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClusterService, ClusterStatus } from './cluster.service';

/** Only with NATS_URL: what this node knows of its cluster. */
@Controller('cluster')
@ApiTags('cluster')
export class ClusterController {
  constructor(private readonly cluster: ClusterService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'This node, its NATS connection, the nodes of the cluster and their cameras',
    description: 'Only served when NATS_URL is set.',
  })
  @ApiOkResponse({ type: ClusterStatus })
  status(): ClusterStatus {
    return this.cluster.status();
  }
}
