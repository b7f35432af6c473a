/** Minimal types for the parts of plotly.js-dist-min the plot panes use. */
declare module "plotly.js-dist-min" {
  export interface PlotlyStatic {
    react(el: HTMLElement, data: readonly object[], layout?: object, config?: object): Promise<unknown>;
    purge(el: HTMLElement): void;
  }
  const Plotly: PlotlyStatic;
  export default Plotly;
}
