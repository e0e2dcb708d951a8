import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The shape of every error camfeed answers with (Nest's own, plus details for some errors). */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    example: ['width must be an integer from 16 to 8192'],
    description: 'What was wrong: each message names the field and what it allows',
  })
  message!: string | string[];

  @ApiPropertyOptional({
    description: 'Settings outside the camera’s capabilities: each problem',
    type: [String],
  })
  problems?: string[];

  @ApiPropertyOptional({ description: 'Why a device is unavailable (IR LEDs, camera)' })
  reason?: string | null;
}
