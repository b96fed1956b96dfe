/**
 * The HTML run report ({@link rho4j.report.HtmlReport}). Input files it reads from each run folder RUN; every one is
 * optional, and unknown fields are ignored:
 *
 * <ul>
 *   <li>{@code RUN/metrics.jsonl}: one JSON object per line, by {@code "type"}:
 *     <ul>
 *       <li>{@code {"type":"train","step":10,"tokens":40960,"loss":3.21,"lr":0.0006,"tok_per_s":850.0,
 *           "grad_norm":0.8}} plus, for SLM runs, {@code "sel_loss","unsel_loss","sel_frac","mean_excess"};
 *           curves use x = tokens, selection charts x = step;</li>
 *       <li>{@code {"type":"eval","step":100,"tokens":409600,"val_loss":3.1}};</li>
 *       <li>{@code {"type":"hist","step":100,"name":"excess_loss","edges":[n+1 numbers],"counts":[n numbers]}}:
 *           the latest step per name is drawn.</li>
 *     </ul>
 *     Lines of other types are counted and ignored; a line that is not JSON is skipped with a note naming
 *     {@code metrics.jsonl:LINE}; NaN and Infinity are accepted and show as gaps.</li>
 *   <li>{@code RUN/run.json}: a flat object shown as the settings table; {@code "name"} names the run (else the
 *       folder name), {@code "objective":"slm"} marks an SLM run (so does any train line with sel_loss/sel_frac).</li>
 *   <li>{@code RUN/eval.json}: {@code {"tasks":[{"task":"gsm8k","metric":"accuracy","value":0.12,"n":100,
 *       "downstream_loss":2.3}, ...]}}: one table per numeric field, rows "task (metric)", columns runs.</li>
 *   <li>{@code RUN/dynamics.json}: as written by {@link rho4j.analysis.DynamicsFiles#writeJson}; reads
 *       {@code categories}, {@code x} and {@code meanTrajectory}.</li>
 *   <li>{@code RUN/tokens.json}: {@code {"step":100,"docs":[{"tokens":["Tom"," has"],"ref_loss":[..],"excess":[..],
 *       "selected":[true,false],"noise":[false,true]}]}}; all arrays but tokens optional, aligned with tokens.</li>
 * </ul>
 */
package rho4j.report;
