export * from './workload.js';
export * from './expected-views.js';
export * from './assert-views.js';
