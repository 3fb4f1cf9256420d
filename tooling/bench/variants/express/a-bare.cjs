'use strict';
const express = require('express');
const { createApp, listen, info, pkgVersion } = require('./app.cjs');

info(`express ${pkgVersion('express')}, no instrumentation`);
listen(createApp(express));
