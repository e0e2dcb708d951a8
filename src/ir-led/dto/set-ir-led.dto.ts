import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn } from 'class-validator';
import { OptionalField } from '../../common/validation/optional-field';
import { IR_LED_MODES, type IrLedMode } from '../ir-led.constants';

/** Either `on` (manual on/off) or `mode` (on, off, or auto to follow the scene's brightness). */
export class SetIrLedDto {
  @ApiPropertyOptional({
    example: true,
    description: 'Switch on or off by hand (same as mode on/off)',
  })
  @OptionalField()
  @IsBoolean({ message: 'on must be a boolean (true or false)' })
  on?: boolean;

  @ApiPropertyOptional({
    enum: IR_LED_MODES,
    example: 'auto',
    description: 'auto follows the scene brightness',
  })
  @OptionalField()
  @IsIn(IR_LED_MODES, { message: `mode must be one of: ${IR_LED_MODES.join(', ')}` })
  mode?: IrLedMode;
}
