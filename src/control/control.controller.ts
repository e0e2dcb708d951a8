import { BadRequestException, Body, Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiInternalServerErrorResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CameraSettingsService } from '../camera/camera-settings.service';
import type { CameraCapabilities, CameraSettings } from '../camera/camera-driver.interface';
import { UpdateCameraSettingsDto } from '../camera/dto/update-camera-settings.dto';
import { FrameProducerService, type CameraStatus } from '../camera/frame-producer.service';
import { ErrorResponseDto } from '../common/error-response.dto';
import { SetIrLedDto } from '../ir-led/dto/set-ir-led.dto';
import { IrLedService, type IrLedState } from '../ir-led/ir-led.service';
import {
  CameraCapabilitiesResponse,
  CameraSettingsResponse,
  CameraStatusResponse,
  IrLedStateResponse,
} from './control.responses';

/** The REST side of camfeed: camera settings and status, and the IR LEDs. */
@Controller()
@ApiBadRequestResponse({
  type: ErrorResponseDto,
  description: 'Invalid input; nothing was changed',
})
export class ControlController {
  constructor(
    private readonly settings: CameraSettingsService,
    private readonly producer: FrameProducerService,
    private readonly irLed: IrLedService,
  ) {}

  @Get('camera/status')
  @ApiTags('camera')
  @ApiOperation({ summary: 'Camera state, viewers, measured frame rate and last error' })
  @ApiOkResponse({ type: CameraStatusResponse })
  status(): CameraStatus {
    return this.producer.status();
  }

  @Get('camera/settings')
  @ApiTags('camera')
  @ApiOperation({ summary: 'The current camera settings' })
  @ApiOkResponse({ type: CameraSettingsResponse })
  getSettings(): CameraSettings {
    return this.settings.settings;
  }

  @Post('camera/settings')
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'More than CONTROL_RATE_LIMIT changes a minute',
  })
  @HttpCode(200)
  @ApiTags('camera')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Change some settings, live',
    description:
      'A partial update: only the fields given change, all or nothing. The settings are saved and the camera ' +
      'restarts with them; open streams stay connected and get frames of the new size within about 2 s. ' +
      'width x height is the capture size; with rotation 90 or 270 the stream is height x width.',
  })
  @ApiOkResponse({ type: CameraSettingsResponse, description: 'The settings now applied' })
  @ApiUnauthorizedResponse({
    type: ErrorResponseDto,
    description: 'API_TOKEN is set and the call lacks it',
  })
  @ApiInternalServerErrorResponse({
    type: ErrorResponseDto,
    description: 'The settings could not be saved',
  })
  async updateSettings(@Body() body: UpdateCameraSettingsDto): Promise<CameraSettings> {
    const fields = Object.entries(body).filter(([, value]) => value !== undefined);
    if (fields.length === 0) {
      throw new BadRequestException([
        'give at least one of: width, height, framerate, quality, rotation, hflip, vflip',
      ]);
    }
    return this.settings.update(Object.fromEntries(fields));
  }

  @Get('camera/capabilities')
  @ApiTags('camera')
  @ApiOperation({
    summary:
      'What this camera can do: sizes (ranges or modes), frame rates, quality, rotations, flips',
  })
  @ApiOkResponse({ type: CameraCapabilitiesResponse })
  async capabilities(): Promise<CameraCapabilities> {
    return this.settings.capabilities();
  }

  @Get('ir-led')
  @ApiTags('ir-led')
  @ApiOperation({ summary: 'IR LED state: available, on, mode, pin' })
  @ApiOkResponse({ type: IrLedStateResponse })
  getIrLed(): IrLedState {
    return this.irLed.state();
  }

  @Put('ir-led')
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'More than CONTROL_RATE_LIMIT changes a minute',
  })
  @ApiTags('ir-led')
  @ApiBearerAuth()
  @ApiOperation({
    summary: 'Switch the IR LEDs: {"on": true|false} or {"mode": "on"|"off"|"auto"}',
  })
  @ApiOkResponse({ type: IrLedStateResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({
    type: ErrorResponseDto,
    description: 'No usable GPIO pin (not a Pi, not configured)',
  })
  async setIrLed(@Body() body: SetIrLedDto): Promise<IrLedState> {
    if ((body.on === undefined) === (body.mode === undefined)) {
      throw new BadRequestException([
        'give either on (true or false) or mode (on, off, auto), not both',
      ]);
    }
    return body.mode !== undefined
      ? this.irLed.setMode(body.mode)
      : this.irLed.setOn(body.on as boolean);
  }

  @Post('ir-led/toggle')
  @ApiTooManyRequestsResponse({
    type: ErrorResponseDto,
    description: 'More than CONTROL_RATE_LIMIT changes a minute',
  })
  @HttpCode(200)
  @ApiTags('ir-led')
  @ApiBearerAuth()
  @ApiOperation({ summary: 'Flip the IR LEDs on or off (leaves auto mode)' })
  @ApiOkResponse({ type: IrLedStateResponse })
  @ApiUnauthorizedResponse({ type: ErrorResponseDto })
  @ApiServiceUnavailableResponse({ type: ErrorResponseDto })
  async toggleIrLed(): Promise<IrLedState> {
    return this.irLed.toggle();
  }
}
