import {
  applyDecorators,
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiInternalServerErrorResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CameraStatusResponse } from '../camera/producer/camera-status';
import { CameraCapabilities, CameraSettings } from '../camera/settings/camera-settings.model';
import { UpdateCameraSettingsDto } from '../camera/settings/update-camera-settings.dto';
import type { Camera } from '../cameras/camera';
import { CameraRegistry } from '../cameras/camera-registry.service';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SetIrLedDto } from '../ir-led/dto/set-ir-led.dto';
import { IrLedState } from '../ir-led/ir-led';

const FIRST = 'Without a camera in the URL: the first camera.';
const IR_SUMMARY = 'Switch the IR LEDs: {"on": true|false} or {"mode": "on"|"off"|"auto"}';
const TOGGLE_SUMMARY = 'Flip the IR LEDs on or off (leaves auto mode)';
const SETTINGS_DESCRIPTION =
  'A partial update: only the fields given change, all or nothing. The settings are saved and the camera ' +
  'restarts with them; open streams stay connected and get frames of the new size within about 2 s. ' +
  'width x height is the capture size; with rotation 90 or 270 the stream is height x width.';

/** What every call that changes something may answer besides success. */
const Change = (): MethodDecorator =>
  applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({
      type: ErrorResponseDto,
      description: 'API_TOKEN is set and the call lacks it',
    }),
    ApiTooManyRequestsResponse({
      type: ErrorResponseDto,
      description: 'More than CONTROL_RATE_LIMIT changes a minute',
    }),
  );

/** A settings change: saved, so it may also fail to be saved. */
const SettingsChange = (description: string): MethodDecorator =>
  applyDecorators(
    HttpCode(200),
    ApiTags('camera'),
    Change(),
    ApiOperation({ summary: 'Change some settings, live', description }),
    ApiOkResponse({ type: CameraSettings, description: 'The settings now applied' }),
    ApiInternalServerErrorResponse({
      type: ErrorResponseDto,
      description: 'The settings could not be saved',
    }),
  );

/** An IR LED change: refused when the camera has no usable pin. */
const IrLedChange = (summary: string, description?: string): MethodDecorator =>
  applyDecorators(
    ApiTags('ir-led'),
    Change(),
    ApiOperation({ summary, description }),
    ApiOkResponse({ type: IrLedState }),
    ApiServiceUnavailableResponse({
      type: ErrorResponseDto,
      description: 'No usable GPIO pin (not a Pi, not configured)',
    }),
  );

/**
 * The REST side of each camera: settings, capabilities, status, IR LEDs. Every route exists for a
 * camera (/cameras/:camera/…) and, as camfeed always had it, for the first camera (/camera/…,
 * /ir-led…).
 */
@Controller()
@ApiBadRequestResponse({
  type: ErrorResponseDto,
  description: 'Invalid input; nothing was changed',
})
@ApiNotFoundResponse({ type: ErrorResponseDto, description: 'No such camera (the known ids)' })
export class ControlController {
  constructor(private readonly registry: CameraRegistry) {}

  @Get('cameras/:camera/status')
  @ApiTags('camera')
  @ApiOperation({ summary: 'Camera state, viewers, measured frame rate and last error' })
  @ApiOkResponse({ type: CameraStatusResponse })
  async cameraStatus(@Param('camera') camera: string): Promise<CameraStatusResponse> {
    return this.registry.get(camera).control.status();
  }

  @Get('camera/status')
  @ApiTags('camera')
  @ApiOperation({
    summary: 'Camera state, viewers, measured frame rate and last error',
    description: FIRST,
  })
  @ApiOkResponse({ type: CameraStatusResponse })
  async status(): Promise<CameraStatusResponse> {
    return this.registry.first().control.status();
  }

  @Get('cameras/:camera/settings')
  @ApiTags('camera')
  @ApiOperation({ summary: 'The current camera settings' })
  @ApiOkResponse({ type: CameraSettings })
  async cameraSettings(@Param('camera') camera: string): Promise<CameraSettings> {
    return this.registry.get(camera).control.settings();
  }

  @Get('camera/settings')
  @ApiTags('camera')
  @ApiOperation({ summary: 'The current camera settings', description: FIRST })
  @ApiOkResponse({ type: CameraSettings })
  async getSettings(): Promise<CameraSettings> {
    return this.registry.first().control.settings();
  }

  @Post('cameras/:camera/settings')
  @SettingsChange(SETTINGS_DESCRIPTION)
  async updateCameraSettings(
    @Param('camera') camera: string,
    @Body() body: UpdateCameraSettingsDto,
  ): Promise<CameraSettings> {
    return this.update(this.registry.get(camera), body);
  }

  @Post('camera/settings')
  @SettingsChange(`${SETTINGS_DESCRIPTION} ${FIRST}`)
  async updateSettings(@Body() body: UpdateCameraSettingsDto): Promise<CameraSettings> {
    return this.update(this.registry.first(), body);
  }

  @Get('cameras/:camera/capabilities')
  @ApiTags('camera')
  @ApiOperation({
    summary:
      'What this camera can do: sizes (ranges or modes), frame rates, quality, rotations, flips',
  })
  @ApiOkResponse({ type: CameraCapabilities })
  async cameraCapabilities(@Param('camera') camera: string): Promise<CameraCapabilities> {
    return this.registry.get(camera).control.capabilities();
  }

  @Get('camera/capabilities')
  @ApiTags('camera')
  @ApiOperation({
    summary:
      'What this camera can do: sizes (ranges or modes), frame rates, quality, rotations, flips',
    description: FIRST,
  })
  @ApiOkResponse({ type: CameraCapabilities })
  async capabilities(): Promise<CameraCapabilities> {
    return this.registry.first().control.capabilities();
  }

  @Get('cameras/:camera/ir-led')
  @ApiTags('ir-led')
  @ApiOperation({ summary: 'IR LED state: available, on, mode, pin' })
  @ApiOkResponse({ type: IrLedState })
  async cameraIrLed(@Param('camera') camera: string): Promise<IrLedState> {
    return this.registry.get(camera).control.irLedState();
  }

  @Get('ir-led')
  @ApiTags('ir-led')
  @ApiOperation({ summary: 'IR LED state: available, on, mode, pin', description: FIRST })
  @ApiOkResponse({ type: IrLedState })
  async getIrLed(): Promise<IrLedState> {
    return this.registry.first().control.irLedState();
  }

  @Put('cameras/:camera/ir-led')
  @IrLedChange(IR_SUMMARY)
  async setCameraIrLed(
    @Param('camera') camera: string,
    @Body() body: SetIrLedDto,
  ): Promise<IrLedState> {
    return this.setIr(this.registry.get(camera), body);
  }

  @Put('ir-led')
  @IrLedChange(IR_SUMMARY, FIRST)
  async setIrLed(@Body() body: SetIrLedDto): Promise<IrLedState> {
    return this.setIr(this.registry.first(), body);
  }

  @Post('cameras/:camera/ir-led/toggle')
  @HttpCode(200)
  @IrLedChange(TOGGLE_SUMMARY)
  async toggleCameraIrLed(@Param('camera') camera: string): Promise<IrLedState> {
    return this.registry.get(camera).control.changeIrLed({ toggle: true });
  }

  @Post('ir-led/toggle')
  @HttpCode(200)
  @IrLedChange(TOGGLE_SUMMARY, FIRST)
  async toggleIrLed(): Promise<IrLedState> {
    return this.registry.first().control.changeIrLed({ toggle: true });
  }

  private async update(camera: Camera, body: UpdateCameraSettingsDto): Promise<CameraSettings> {
    const fields = Object.entries(body).filter(([, value]) => value !== undefined);
    if (fields.length === 0) {
      throw new BadRequestException([
        'give at least one of: width, height, framerate, quality, rotation, hflip, vflip',
      ]);
    }
    return camera.control.updateSettings(Object.fromEntries(fields));
  }

  private async setIr(camera: Camera, body: SetIrLedDto): Promise<IrLedState> {
    if ((body.on === undefined) === (body.mode === undefined)) {
      throw new BadRequestException([
        'give either on (true or false) or mode (on, off, auto), not both',
      ]);
    }
    return camera.control.changeIrLed(
      body.mode !== undefined ? { mode: body.mode } : { on: body.on as boolean },
    );
  }
}
