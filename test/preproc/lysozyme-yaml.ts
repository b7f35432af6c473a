/** diffractem's lysozyme example options (serialed-examples preproc.yaml values, preprocessing.md §14). */
export const lysozymeYaml = `# diffractem pre-processing options, lysozyme example
reference: Ref12_reference.tif
pxmask: Ref12_pxmask.tif
correct_saturation: true
dead_time: 0.0019
shutter_time: 8
dead_time_gap_factor: 5
float: true
mask_gaps: false
interpolate_dead: true
cam_length: 1.58
ellipse_ratio: 1.023
ellipse_angle: 83
com_threshold: 0.7
com_xrng: 516
lorentz_radius: 30
lorentz_maxshift: 26
xsize: 1556
ysize: 516
r_adf1: [50, 100]
r_adf2: [100, 200]
select_query: 'frame >= 0 and crystal_id >= 0 and frame <= 4'
agg_query: 'frame >= 1 and frame <= 4'
agg_file_suffix: _agg.h5
aggregate: true
scratch_dir: /scratch/diffractem
proc_dir: proc_data
rechunk: null
peak_search_params:
  min-res: 0
  max-res: 550
  local-bg-radius: 5
  threshold: 8
  min-pix-count: 3
  max-pix-count: 10000
  min-snr: 3.5
  peaks: peakfinder8
indexing_params:
  indexing: pinkIndexer
  integration: rings-nograd-nocen
  int-radius: 3,4,6
  peaks: cxi
  max-indexer-threads: 2
  min-peaks: 15
  no-refine: true
  no-retry: true
  no-check-peaks: true
friedel_refine: true
min_peaks: 15
peak_sigma: 2
friedel_max_radius: null
`;
