// The decoy profiles as data: for each kind of device, its services (ports and
// protocols) and the tables of realistic values an identity is drawn from
// (vendors with their real IEEE OUIs, models with matching order numbers,
// firmware of the era, serial-number patterns, per-protocol extras).
// Patterns: `#` digit, `@` upper-case letter, `%` upper-case hex digit. Pure data.

import type { DecoyProfile } from './types.js';

/** Application protocols a decoy service can speak. */
export type ServiceProtocol =
  | 'modbus'
  | 's7comm'
  | 'enip'
  | 'bacnet'
  | 'iec104'
  | 'dnp3'
  | 'ssh'
  | 'vnc'
  | 'http';

/** One listening service of a profile. */
export interface ServiceSpec {
  readonly transport: 'tcp' | 'udp';
  readonly port: number;
  readonly protocol: ServiceProtocol;
}

/** One product a decoy can be: vendor, OUIs, model and the values that go with that model. */
export interface Variant {
  readonly vendor: string;
  /** IEEE MA-L assignments of the vendor (checked in /usr/share/ieee-data/oui.csv), upper-case hex. */
  readonly ouis: readonly string[];
  readonly model: string;
  readonly firmwares: readonly string[];
  readonly fields: Readonly<Record<string, string | number>>;
}

/** Everything drawn for one profile. */
export interface ProfileTable {
  readonly services: readonly ServiceSpec[];
  readonly variants: readonly Variant[];
  readonly serials: readonly string[];
  readonly hostnames: readonly string[];
  /** Extra fields drawn from lists; strings are patterns. */
  readonly choices: Readonly<Record<string, readonly (string | number)[]>>;
  /** Extra integer fields drawn from inclusive ranges. */
  readonly ranges: Readonly<Record<string, readonly [number, number]>>;
}

const SIEMENS = ['000E8C', '001B1B'];
const SCHNEIDER = ['0080F4', '000054'];
const M340 = { productName: 'Modicon M340', vendorUrl: 'http://www.schneider-electric.com' };
const ROCKWELL = ['0000BC', '001D9C', '5C8816', 'E49069'];

/**
 * Plant names are drawn per site: a place (at most 13 characters) and a
 * facility (at most 17), so a name fits the 31 characters (+ NUL) of the S7
 * plant designation record.
 */
export const PLACES: readonly string[] = [
  'Riverside',
  'North Ridge',
  'Oak Valley',
  'Lakeshore',
  'Eastfield',
  'Granite Falls',
  'Millbrook',
  'Harbor Point',
  'Cedar Creek',
  'Westgate',
  'Stonebridge',
  'Pine Hollow',
];
export const FACILITIES: readonly string[] = [
  'Water Treatment',
  'Pumping Station #',
  'Wastewater Plant',
  'Bottling Line #',
  'Substation #',
  'Compressor Stn #',
  'Paper Mill',
  'Chemical Plant',
  'Power Unit #',
  'Packaging Hall #',
];

export const PROFILE_TABLES: Readonly<Record<DecoyProfile, ProfileTable>> = {
  's7-300': {
    services: [{ transport: 'tcp', port: 102, protocol: 's7comm' }],
    variants: [
      {
        vendor: 'Siemens',
        ouis: SIEMENS,
        model: 'CPU 315-2 PN/DP',
        firmwares: ['V3.2.6', 'V3.2.7', 'V3.2.8', 'V3.2.10', 'V3.2.13', 'V3.2.17'],
        fields: { orderNumber: '6ES7 315-2EH14-0AB0' },
      },
      {
        vendor: 'Siemens',
        ouis: SIEMENS,
        model: 'CPU 317-2 PN/DP',
        firmwares: ['V3.2.6', 'V3.2.8', 'V3.2.12', 'V3.2.16'],
        fields: { orderNumber: '6ES7 317-2EK14-0AB0' },
      },
      {
        vendor: 'Siemens',
        ouis: SIEMENS,
        model: 'CPU 315-2 DP',
        firmwares: ['V3.3.10', 'V3.3.12', 'V3.3.16'],
        fields: { orderNumber: '6ES7 315-2AH14-0AB0' },
      },
      {
        vendor: 'Siemens',
        ouis: SIEMENS,
        model: 'CPU 319-3 PN/DP',
        firmwares: ['V3.2.5', 'V3.2.9', 'V3.2.14'],
        fields: { orderNumber: '6ES7 318-3EL01-0AB0' },
      },
    ],
    serials: ['S C-@#@@########', 'S C-@#@#########'],
    hostnames: ['plc#', 'pn-cpu-#', 'cpu315-##'],
    choices: {
      systemName: ['S7300/ET200M station_#', 'SIMATIC 300(#)', 'S7-300 Station #'],
      moduleName: ['PLC_#', 'CPU_#', 'PLC #'],
      memoryCard: ['MMC %%%%%%%%'],
      copyright: ['Original Siemens Equipment'],
    },
    ranges: { rack: [0, 0], slot: [2, 2] },
  },
  'modicon-m340': {
    services: [
      { transport: 'tcp', port: 502, protocol: 'modbus' },
      { transport: 'tcp', port: 80, protocol: 'http' },
    ],
    variants: [
      {
        vendor: 'Schneider Electric',
        ouis: SCHNEIDER,
        model: 'BMX P34 2020',
        firmwares: ['v2.70', 'v2.80', 'v3.01', 'v3.10', 'v3.20'],
        fields: M340,
      },
      {
        vendor: 'Schneider Electric',
        ouis: SCHNEIDER,
        model: 'BMX P34 2010',
        firmwares: ['v2.60', 'v2.70', 'v3.01'],
        fields: M340,
      },
      {
        vendor: 'Schneider Electric',
        ouis: SCHNEIDER,
        model: 'BMX P34 2030',
        firmwares: ['v2.80', 'v3.10', 'v3.20', 'v3.30'],
        fields: M340,
      },
    ],
    serials: ['#######%%%%', '20@#######'],
    hostnames: ['M340-##', 'PLC-M340-#', 'BMX-##'],
    choices: { unitId: [1, 1, 255] },
    ranges: { holdingRegisters: [120, 400], coils: [64, 256], scanMs: [10, 50] },
  },
  controllogix: {
    services: [
      { transport: 'tcp', port: 44818, protocol: 'enip' },
      { transport: 'udp', port: 44818, protocol: 'enip' },
    ],
    variants: [
      {
        vendor: 'Rockwell Automation/Allen-Bradley',
        ouis: ROCKWELL,
        model: '1756-L61/B LOGIX5561',
        firmwares: ['16.23', '17.11', '19.11', '20.13'],
        fields: { productCode: 54, deviceType: 14, vendorId: 1 },
      },
      {
        vendor: 'Rockwell Automation/Allen-Bradley',
        ouis: ROCKWELL,
        model: '1756-L62/B LOGIX5562',
        firmwares: ['16.23', '17.11', '19.11', '20.13'],
        fields: { productCode: 55, deviceType: 14, vendorId: 1 },
      },
      {
        vendor: 'Rockwell Automation/Allen-Bradley',
        ouis: ROCKWELL,
        model: '1756-L71/B LOGIX5571',
        firmwares: ['20.13', '20.55', '21.11', '24.11', '28.12', '30.11'],
        fields: { productCode: 93, deviceType: 14, vendorId: 1 },
      },
      {
        vendor: 'Rockwell Automation/Allen-Bradley',
        ouis: ROCKWELL,
        model: '1756-L73/B LOGIX5573',
        firmwares: ['20.13', '21.11', '24.11', '30.11', '32.11'],
        fields: { productCode: 95, deviceType: 14, vendorId: 1 },
      },
    ],
    serials: ['00%%%%%%', '60%%%%%%', 'C0%%%%%%'],
    hostnames: ['CLX-##', 'L7x-Line#', 'LOGIX-##'],
    choices: { status: [0x0060, 0x3060, 0x3160, 0x0030], state: [3] },
    ranges: { slot: [0, 3] },
  },
  'bacnet-controller': {
    services: [{ transport: 'udp', port: 47808, protocol: 'bacnet' }],
    variants: [
      {
        vendor: 'Johnson Controls, Inc.',
        ouis: ['00108D'],
        model: 'MS-NAE5510-2',
        firmwares: ['6.5.0.2115', '7.0.0.1210', '8.1.0.1520', '9.0.0.3012'],
        fields: { vendorId: 5, applicationSoftware: 'NAE 6.5' },
      },
      {
        vendor: 'Delta Controls',
        ouis: ['0040AE'],
        model: 'eBCON',
        firmwares: ['3.40', '3.40.1', '4.10'],
        fields: { vendorId: 8, applicationSoftware: 'V3.40 Build 1567' },
      },
      {
        vendor: 'Siemens Building Technologies',
        ouis: ['000519', '00C0E4'],
        model: 'PXC36.1-E.D',
        firmwares: ['FW=03.00.18', 'FW=03.01.40', 'FW=03.02.07'],
        fields: { vendorId: 7, applicationSoftware: 'Desigo PX V5.1' },
      },
      {
        vendor: 'Trane',
        ouis: ['0012EA'],
        model: 'Tracer SC',
        firmwares: ['4.40.1209', '4.50.0212', '5.10.0405'],
        fields: { vendorId: 2, applicationSoftware: 'Tracer SC 4.4' },
      },
    ],
    serials: ['##########', '%%%%%%%%'],
    hostnames: ['BMS-CTRL-##', 'NAE-##', 'AHU-CTL-#'],
    choices: {
      objectName: ['NAE-##', 'BLDG#-AHU-#', 'CHILLER-PLANT-#', 'BMS-#-CTRL'],
      description: ['Air Handler #', 'Chiller Plant Controller', 'Boiler Room Controller', 'Building # HVAC'],
      room: ['Mech Room #', 'Plant Room #', 'Electrical Room #'],
    },
    ranges: { deviceInstance: [1000, 399999] },
  },
  'iec104-rtu': {
    services: [{ transport: 'tcp', port: 2404, protocol: 'iec104' }],
    variants: [
      {
        vendor: 'Siemens',
        ouis: SIEMENS,
        model: 'SICAM A8000 CP-8050',
        firmwares: ['V03.10', 'V04.20', 'V05.10'],
        fields: {},
      },
      {
        vendor: 'ABB',
        ouis: ['002459', '00904F'],
        model: 'RTU560 560CMR02',
        firmwares: ['12.2.3', '12.6.1', '13.2.1'],
        fields: {},
      },
      {
        vendor: 'Siemens',
        ouis: SIEMENS,
        model: 'SICAM TM 1703 CP-6014',
        firmwares: ['V07.70', 'V08.03'],
        fields: {},
      },
    ],
    serials: ['BF##########', '#######@'],
    hostnames: ['RTU-##', 'SS#-RTU', 'FEEDER-RTU-#'],
    choices: {},
    ranges: { asduAddress: [1, 65000], measurements: [4, 9], points: [6, 14] },
  },
  'dnp3-outstation': {
    services: [{ transport: 'tcp', port: 20000, protocol: 'dnp3' }],
    variants: [
      { vendor: 'GE', ouis: ['C4B512'], model: 'D20MX', firmwares: ['2.30', '2.40', '3.10'], fields: {} },
      {
        vendor: 'ABB',
        ouis: ['002459', '00904F'],
        model: 'RTU560 560CIG10',
        firmwares: ['12.6.1', '13.2.1'],
        fields: {},
      },
      {
        vendor: 'Schneider Electric',
        ouis: SCHNEIDER,
        model: 'SCADAPack 357',
        firmwares: ['2.60', '2.72', '3.10'],
        fields: {},
      },
    ],
    serials: ['##########', '@@#######'],
    hostnames: ['OUTST-##', 'RTU-DNP-#', 'WELL-#-RTU'],
    choices: {},
    ranges: { outstationAddress: [1, 120], analogInputs: [4, 12], binaryInputs: [8, 24] },
  },
  'engineering-workstation': {
    services: [
      { transport: 'tcp', port: 22, protocol: 'ssh' },
      { transport: 'tcp', port: 5900, protocol: 'vnc' },
      { transport: 'tcp', port: 80, protocol: 'http' },
    ],
    variants: [
      {
        vendor: 'Dell Inc.',
        ouis: ['001C23', '00B0D0', 'B8AC6F'],
        model: 'OptiPlex 7050',
        firmwares: ['Windows 10 Pro 1809', 'Windows 10 Enterprise LTSC 2019'],
        fields: {},
      },
      {
        vendor: 'Dell Inc.',
        ouis: ['001C23', '14FEB5', '180373'],
        model: 'Precision Tower 3620',
        firmwares: ['Windows 10 Pro 1809', 'Windows 7 Professional SP1'],
        fields: {},
      },
      {
        vendor: 'Hewlett Packard',
        ouis: ['001CC4', '2C4138', 'B499BA'],
        model: 'HP Z240 Tower',
        firmwares: ['Windows 10 Pro 1809', 'Windows 7 Professional SP1'],
        fields: {},
      },
    ],
    serials: ['#@@#@##', '@@@####@##'],
    hostnames: ['EWS-0#', 'ENG-WS-0#', 'EWS##', 'ES-@@@-0#'],
    choices: {
      sshVersion: ['OpenSSH_for_Windows_7.7', 'OpenSSH_for_Windows_8.1', 'OpenSSH_7.4', 'OpenSSH_8.0'],
      webTitle: ['WinCC WebNavigator', 'FactoryTalk ViewPoint', 'Engineering Station Login'],
      vnc: ['RealVNC 5.3', 'RealVNC 6.4', 'TightVNC 2.8'],
    },
    ranges: {},
  },
};
